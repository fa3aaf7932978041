import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'auth.refresh_reused';
export const version = 1;
export const schema = Type.Object({ userId: Ref, sessionId: Ref });
