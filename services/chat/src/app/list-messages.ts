import type { Caller, ChatPorts } from '../domain/ports.js';
import { asParticipant, viewOf } from './access.js';

/** GET /v1/conversations/:id/messages?cursor: newest first; `nextCursor` pages back in time. */
export async function listMessages(
  ports: ChatPorts,
  caller: Caller,
  conversationId: string,
  limit: number,
  cursor?: string,
) {
  const c = await asParticipant(ports, caller, conversationId);
  const rows = await ports.messages.page(c.id, limit + 1, cursor);
  const page = rows.slice(0, limit);
  return {
    items: await Promise.all(page.map((m) => viewOf(ports, c, m))),
    nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null,
  };
}
