import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'chat.message_flagged';
export const version = 1;
/** A delivered message held for review: ids and categories, never the text. */
export const schema = Type.Object({
  conversationId: Ref,
  messageId: Ref,
  flagId: Ref,
  senderId: Ref,
  categories: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 8 }),
  patientId: Type.Optional(Ref),
  resourceType: Type.Literal('conversation'),
  resourceId: Ref,
});
