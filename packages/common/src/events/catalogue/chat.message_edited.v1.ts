import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'chat.message_edited';
export const version = 1;
export const schema = Type.Object({
  conversationId: Ref,
  messageId: Ref,
  senderId: Ref,
  patientId: Type.Optional(Ref),
  resourceType: Type.Literal('conversation'),
  resourceId: Ref,
});
