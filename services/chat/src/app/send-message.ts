import { AppError } from '@medvault/common/errors';
import { newId } from '@medvault/common/ids';
import type { Caller, ChatPorts } from '../domain/ports.js';
import type { Message } from '../domain/types.js';
import {
  asParticipant,
  assertNotMuted,
  assertWritable,
  convRef,
  type MessageView,
  messageAad,
  others,
  viewOf,
} from './access.js';
import { checkAttachments, shareAttachments } from './attachments.js';
import { messageFrame } from './missed-messages.js';
import { holdForReview, moderateOrReject } from './moderate-text.js';

export interface SendInput {
  text: string;
  attachmentFileIds?: string[];
}

/**
 * POST /v1/conversations/:id/messages. In order: membership, care, mute, rate limit, moderation
 * (a rejection stores nothing and emits chat.message_rejected without the text), attachments;
 * then the text is sealed with the conversation key, stored, fanned out live, and announced
 * (chat.message_sent, ids only; chat.message_flagged when held for review).
 */
export async function sendMessage(
  ports: ChatPorts,
  caller: Caller,
  conversationId: string,
  input: SendInput,
): Promise<MessageView> {
  const c = await asParticipant(ports, caller, conversationId);
  await assertWritable(ports, c);
  await assertNotMuted(ports, caller);
  const text = input.text.trim();
  if (text.length === 0) throw new AppError('BAD_REQUEST', 'A message needs text', { details: { field: 'text' } });
  if (text.length > ports.settings.maxTextLength)
    throw new AppError('BAD_REQUEST', `Text is limited to ${ports.settings.maxTextLength} characters`, {
      details: { field: 'text' },
    });
  const fileIds = [...new Set(input.attachmentFileIds ?? [])];
  if (fileIds.length > ports.settings.maxAttachments)
    throw new AppError('BAD_REQUEST', `At most ${ports.settings.maxAttachments} attachments`);
  if (!(await ports.rateLimit.hit(caller.principal.userId)))
    throw new AppError('RATE_LIMITED', 'Too many messages: wait a moment', { headers: { 'retry-after': '10' } });

  const verdict = await moderateOrReject(ports, caller, c, text);
  await checkAttachments(ports, caller, c, fileIds);
  await shareAttachments(ports, caller, c, fileIds);

  const now = ports.clock.now();
  const m: Message = {
    id: newId('message', now.getTime()),
    conversationId: c.id,
    senderId: caller.principal.userId,
    attachmentFileIds: fileIds,
    sentAt: now,
    flagged: verdict.action === 'flag',
  };
  m.body = await ports.cipher.seal(c, messageAad(m), text);
  await ports.messages.insert(m);
  await ports.conversations.touch(c.id, now);
  const recipients = others(c, m.senderId);
  await ports.live.publish(messageFrame(c, { ...m, body: m.body }));
  const online = await ports.presence.online(recipients);
  await ports.events.emit(
    'chat.message_sent',
    {
      ...convRef(c),
      messageId: m.id,
      senderId: m.senderId,
      recipientIds: recipients,
      offlineRecipientIds: recipients.filter((id) => !online.has(id)),
      ...(fileIds.length ? { attachmentFileIds: fileIds } : {}),
    },
    caller,
  );
  await holdForReview(ports, caller, c, m, verdict, now);
  return viewOf(ports, c, m);
}
