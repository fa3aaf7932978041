import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'chat.user_unmuted';
export const version = 1;
export const schema = Type.Object({ userId: Ref });
