import type { ChatPorts, LiveFrame } from '../domain/ports.js';
import type { Conversation, Message } from '../domain/types.js';
import { others } from './access.js';

/** The live frame of a stored message: sealed text and the wrapped key the stream opens it with. */
export function messageFrame(c: Conversation, m: Message & { body: Buffer }): LiveFrame {
  return {
    kind: 'message',
    recipients: [...others(c, m.senderId), m.senderId],
    conversationId: c.id,
    messageId: m.id,
    senderId: m.senderId,
    sealed: m.body.toString('base64'),
    wrappedKey: c.wrappedKey.toString('base64'),
    keyId: c.keyId,
    attachmentFileIds: m.attachmentFileIds,
    sentAt: m.sentAt.toISOString(),
  };
}

/** Conversations looked at for a replay: beyond this a client pages each conversation's history. */
const MAX_CONVERSATIONS = 500;

/**
 * What a stream that reconnects with Last-Event-ID (the last message id it received) missed: the
 * messages sent since in the caller's conversations, oldest first, at most `settings.replayLimit`,
 * as the same frames the live fan-out carries (sealed; opened by the stream). Deleted messages are
 * skipped (their text is gone); edits and receipts are not replayed (the next page load shows them).
 */
export async function missedMessages(ports: ChatPorts, userId: string, after: string): Promise<LiveFrame[]> {
  const conversations = await ports.conversations.listFor(userId, MAX_CONVERSATIONS);
  if (conversations.length === 0) return [];
  const byId = new Map(conversations.map((c) => [c.id, c]));
  const missed = await ports.messages.since([...byId.keys()], after, ports.settings.replayLimit);
  const frames: LiveFrame[] = [];
  for (const m of missed) {
    const c = byId.get(m.conversationId);
    if (!c || !m.body || m.deletedAt) continue;
    frames.push(messageFrame(c, { ...m, body: m.body }));
  }
  return frames;
}
