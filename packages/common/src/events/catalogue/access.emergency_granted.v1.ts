import { Type } from '@sinclair/typebox';
import { Iso, Ref } from '../envelope.js';

export const type = 'access.emergency_granted';
export const version = 1;
export const schema = Type.Object({
  grantId: Ref,
  patientId: Ref,
  reason: Type.String({ minLength: 10, maxLength: 1000 }),
  expiresAt: Iso,
});
