import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'auth.login_failed';
export const version = 1;
export const schema = Type.Object({
  reason: Type.Union([Type.Literal('invalid_credentials'), Type.Literal('throttled'), Type.Literal('inactive')]),
  emailHash: Type.String({
    description: 'SHA-256 of the lower-cased email: correlates attempts without storing the address',
  }),
  userId: Type.Optional(Ref),
});
