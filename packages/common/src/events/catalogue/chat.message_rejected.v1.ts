import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'chat.message_rejected';
export const version = 1;
/** A message the moderation policy refused: who, where and why (categories), never the text. */
export const schema = Type.Object({
  conversationId: Ref,
  senderId: Ref,
  categories: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 8 }),
  patientId: Type.Optional(Ref),
  resourceType: Type.Literal('conversation'),
  resourceId: Ref,
});
