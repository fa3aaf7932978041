import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'chat.message_sent';
export const version = 1;
/**
 * Ids only, never the text. `offlineRecipientIds`: participants with no open stream when it was
 * sent, whom notify tells "you have a new message" (again without the text).
 */
export const schema = Type.Object({
  conversationId: Ref,
  messageId: Ref,
  senderId: Ref,
  recipientIds: Type.Array(Ref, { maxItems: 50 }),
  offlineRecipientIds: Type.Array(Ref, { maxItems: 50 }),
  attachmentFileIds: Type.Optional(Type.Array(Ref, { maxItems: 20 })),
  patientId: Type.Optional(Ref),
  resourceType: Type.Literal('conversation'),
  resourceId: Ref,
});
