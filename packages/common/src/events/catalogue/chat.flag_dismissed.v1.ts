import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'chat.flag_dismissed';
export const version = 1;
/** An admin reviewed a flagged message and let it stand. */
export const schema = Type.Object({
  flagId: Ref,
  conversationId: Ref,
  messageId: Ref,
  senderId: Ref,
  resourceType: Type.Literal('conversation'),
  resourceId: Ref,
});
