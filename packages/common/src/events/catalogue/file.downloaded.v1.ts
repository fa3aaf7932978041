import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'file.downloaded';
export const version = 1;
export const schema = Type.Object({
  fileId: Ref,
  linkId: Type.Optional(Ref),
  ownerId: Type.Optional(Ref),
  patientId: Type.Optional(Ref),
  bytes: Type.Integer({ minimum: 0 }),
  range: Type.Optional(Type.String()),
  rendition: Type.Optional(Type.String()),
});
