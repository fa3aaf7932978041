import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'access.denied';
export const version = 1;
export const schema = Type.Object({
  reason: Type.String({ maxLength: 200 }),
  method: Type.Optional(Type.String()),
  route: Type.Optional(Type.String()),
  resourceType: Type.Optional(Type.String()),
  resourceId: Type.Optional(Ref),
  patientId: Type.Optional(Ref),
});
