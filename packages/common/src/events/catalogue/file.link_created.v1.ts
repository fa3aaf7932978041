import { Type } from '@sinclair/typebox';
import { Iso, Ref } from '../envelope.js';

export const type = 'file.link_created';
export const version = 1;
export const schema = Type.Object({
  fileId: Ref,
  linkId: Ref,
  expiresAt: Iso,
  maxDownloads: Type.Optional(Type.Integer({ minimum: 1 })),
  patientId: Type.Optional(Ref),
});
