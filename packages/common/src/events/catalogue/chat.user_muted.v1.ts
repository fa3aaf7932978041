import { Type } from '@sinclair/typebox';
import { Iso, Ref } from '../envelope.js';

export const type = 'chat.user_muted';
export const version = 1;
/** An admin stopped a user from sending chat messages until `until`. */
export const schema = Type.Object({ userId: Ref, until: Iso });
