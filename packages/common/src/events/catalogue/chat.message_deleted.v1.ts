import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'chat.message_deleted';
export const version = 1;
/** By its sender (within the edit window) or by the retention purge (actor `system`, `purged`). */
export const schema = Type.Object({
  conversationId: Ref,
  messageId: Ref,
  senderId: Ref,
  patientId: Type.Optional(Ref),
  resourceType: Type.Literal('conversation'),
  resourceId: Ref,
});
