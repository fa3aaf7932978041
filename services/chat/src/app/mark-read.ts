import { AppError } from '@medvault/common/errors';
import type { Caller, ChatPorts } from '../domain/ports.js';
import { asParticipant, others } from './access.js';

/** POST /v1/conversations/:id/read {upTo}: a read receipt, pushed live to the other participants. */
export async function markRead(ports: ChatPorts, caller: Caller, conversationId: string, upTo: string) {
  const c = await asParticipant(ports, caller, conversationId);
  if (!(await ports.messages.get(c.id, upTo)))
    throw new AppError('BAD_REQUEST', 'upTo is not a message of this conversation', { details: { field: 'upTo' } });
  const me = caller.principal.userId;
  await ports.conversations.markRead(c.id, me, upTo);
  await ports.live.publish({
    kind: 'read',
    recipients: others(c, me),
    conversationId: c.id,
    messageId: upTo,
    readerId: me,
  });
  const fresh = await ports.conversations.get(c.id);
  const readUpTo = fresh?.readUpTo[me] ?? upTo;
  return { conversationId: c.id, upTo: readUpTo, unreadCount: await ports.messages.unread(c.id, me, readUpTo) };
}
