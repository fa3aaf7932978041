import { Type } from '@sinclair/typebox';
import { Iso, Ref } from '../envelope.js';

export const type = 'file.deleted';
export const version = 1;
export const schema = Type.Object({
  fileId: Ref,
  ownerId: Ref,
  patientId: Type.Optional(Ref),
  purgeAfter: Iso,
});
