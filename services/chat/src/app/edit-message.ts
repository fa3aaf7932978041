import { AppError } from '@medvault/common/errors';
import type { Caller, ChatPorts } from '../domain/ports.js';
import { assertNotMuted, assertWritable, convRef, type MessageView, messageAad, others, viewOf } from './access.js';
import { changeable } from './change-guard.js';
import { holdForReview, moderateOrReject } from './moderate-text.js';

/** PATCH /v1/conversations/:id/messages/:messageId: the sender, within the window; moderated again. */
export async function editMessage(
  ports: ChatPorts,
  caller: Caller,
  conversationId: string,
  messageId: string,
  text: string,
): Promise<MessageView> {
  const { c, m } = await changeable(ports, caller, conversationId, messageId);
  await assertWritable(ports, c);
  await assertNotMuted(ports, caller);
  const t = text.trim();
  if (t.length === 0 || t.length > ports.settings.maxTextLength)
    throw new AppError('BAD_REQUEST', `Text must be 1 to ${ports.settings.maxTextLength} characters`, {
      details: { field: 'text' },
    });
  const verdict = await moderateOrReject(ports, caller, c, t);
  const now = ports.clock.now();
  const body = await ports.cipher.seal(c, messageAad(m), t);
  await ports.messages.update(m.id, { body, editedAt: now });
  await ports.live.publish({
    kind: 'message_edited',
    recipients: [...others(c, m.senderId), m.senderId],
    conversationId: c.id,
    messageId: m.id,
    senderId: m.senderId,
    sealed: body.toString('base64'),
    wrappedKey: c.wrappedKey.toString('base64'),
    keyId: c.keyId,
    attachmentFileIds: m.attachmentFileIds,
    sentAt: m.sentAt.toISOString(),
  });
  await ports.events.emit('chat.message_edited', { ...convRef(c), messageId: m.id, senderId: m.senderId }, caller);
  await holdForReview(ports, caller, c, m, verdict, now);
  return viewOf(ports, c, { ...m, body, editedAt: now });
}
