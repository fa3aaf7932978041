import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'chat.conversation_created';
export const version = 1;
/** Ids only: the subject and every message text are PHI and never leave the chat service. */
export const schema = Type.Object({
  conversationId: Ref,
  participantIds: Type.Array(Ref, { minItems: 2, maxItems: 50 }),
  patientId: Type.Optional(Ref),
  resourceType: Type.Literal('conversation'),
  resourceId: Ref,
});
