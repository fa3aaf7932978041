import { Type } from '@sinclair/typebox';
import { Iso, Ref } from '../envelope.js';

export const type = 'file.shared';
export const version = 1;
export const schema = Type.Object({
  fileId: Ref,
  ownerId: Ref,
  patientId: Type.Optional(Ref),
  sharedWith: Ref,
  expiresAt: Type.Optional(Iso),
});
