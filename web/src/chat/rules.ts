import { ApiError } from '../api/client';
import type { Conversation } from '../api/types';

/** A conversation's name in the list: its subject, else who else is in it (ids: there is no directory). */
export const conversationLabel = (
  c: Pick<Conversation, 'subject' | 'participantIds'>,
  meId: string,
  nameOf: (id: string) => string = (id) => id,
) =>
  c.subject ??
  `With ${
    c.participantIds
      .filter((p) => p !== meId)
      .map(nameOf)
      .join(', ') || 'yourself'
  }`;

/** What a failed send tells the sender; a moderation refusal says why and that nothing was sent. */
export function sendErrorText(e: unknown): string {
  if (e instanceof ApiError && e.problem.code === 'MESSAGE_REJECTED')
    return 'Not sent: this message breaks the conversation rules (abusive or offensive language). Nobody received it; your draft is kept so you can rephrase it.';
  if (e instanceof ApiError && e.problem.code === 'RATE_LIMITED') return 'Not sent: too many messages, wait a moment.';
  if (e instanceof Error && e.message) return `Not sent: ${e.message}`;
  return 'Not sent: something went wrong.';
}

/** Pages come newest first (the API pages back in time); a thread reads oldest first. */
export const threadOf = <T extends { id: string }>(pages: { items: T[] }[]): T[] => {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const p of pages)
    for (const m of p.items)
      if (!seen.has(m.id)) {
        seen.add(m.id);
        out.push(m);
      }
  return out.reverse();
};
