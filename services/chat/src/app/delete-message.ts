import type { Caller, ChatPorts } from '../domain/ports.js';
import { convRef, others } from './access.js';
import { changeable } from './change-guard.js';

/** DELETE /v1/conversations/:id/messages/:messageId: the text is erased for good, the fact stays. */
export async function deleteMessage(ports: ChatPorts, caller: Caller, conversationId: string, messageId: string) {
  const { c, m } = await changeable(ports, caller, conversationId, messageId);
  await ports.messages.update(m.id, { deletedAt: ports.clock.now() }, 'body');
  await ports.live.publish({
    kind: 'message_deleted',
    recipients: [...others(c, m.senderId), m.senderId],
    conversationId: c.id,
    messageId: m.id,
    senderId: m.senderId,
  });
  await ports.events.emit('chat.message_deleted', { ...convRef(c), messageId: m.id, senderId: m.senderId }, caller);
}
