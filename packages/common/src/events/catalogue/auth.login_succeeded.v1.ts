import { Type } from '@sinclair/typebox';
import { Ref, Role } from '../envelope.js';

export const type = 'auth.login_succeeded';
export const version = 1;
export const schema = Type.Object({ userId: Ref, role: Role });
