import { AppError } from '@medvault/common/errors';
import { newId } from '@medvault/common/ids';
import { moderate, type Verdict } from '../domain/moderation/policy.js';
import type { Caller, ChatPorts } from '../domain/ports.js';
import type { Conversation } from '../domain/types.js';
import { convRef } from './access.js';

/**
 * Moderates a text before it is stored (new message or edit). A rejection is announced
 * (chat.message_rejected: who, where, categories; never the text) and thrown as 422
 * MESSAGE_REJECTED; anything else is returned for `holdForReview` once the message exists.
 */
export async function moderateOrReject(
  ports: ChatPorts,
  caller: Caller,
  c: Conversation,
  text: string,
): Promise<Verdict> {
  const verdict = moderate(text, ports.matcher, { profanity: ports.settings.profanityAction });
  if (verdict.action !== 'reject') return verdict;
  await ports.events.emit(
    'chat.message_rejected',
    { ...convRef(c), senderId: caller.principal.userId, categories: verdict.categories },
    caller,
  );
  throw new AppError('MESSAGE_REJECTED', 'This message breaks the conversation rules and was not sent', {
    details: { categories: verdict.categories },
  });
}

/** A flagged verdict puts the delivered message in the review queue (chat.message_flagged). */
export async function holdForReview(
  ports: ChatPorts,
  caller: Caller,
  c: Conversation,
  m: { id: string; senderId: string },
  verdict: Verdict,
  at: Date,
): Promise<void> {
  if (verdict.action !== 'flag') return;
  const flagId = newId('flag');
  const { categories } = verdict;
  await ports.flags.insert({
    id: flagId,
    conversationId: c.id,
    messageId: m.id,
    senderId: m.senderId,
    categories,
    createdAt: at,
    status: 'open',
  });
  await ports.events.emit(
    'chat.message_flagged',
    { ...convRef(c), messageId: m.id, flagId, senderId: m.senderId, categories },
    caller,
  );
}
