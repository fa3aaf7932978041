import { Type } from '@sinclair/typebox';
import { Ref, Role } from '../envelope.js';

export const type = 'user.created';
export const version = 1;
export const schema = Type.Object({
  userId: Ref,
  role: Role,
  email: Type.Optional(
    Type.String({ format: 'email', description: 'Contact for notifications (PII: logs redact it)' }),
  ),
  active: Type.Optional(Type.Boolean()),
});
