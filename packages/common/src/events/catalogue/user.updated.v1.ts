import { Type } from '@sinclair/typebox';
import { Ref, Role } from '../envelope.js';

export const type = 'user.updated';
export const version = 1;
export const schema = Type.Object({
  userId: Ref,
  role: Type.Optional(Role),
  active: Type.Optional(Type.Boolean()),
  changes: Type.Array(Type.String()),
  email: Type.Optional(Type.String({ format: 'email' })),
});
