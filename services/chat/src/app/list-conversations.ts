import type { Caller, ChatPorts } from '../domain/ports.js';

export interface ConversationView {
  id: string;
  participantIds: string[];
  patientId?: string;
  subject?: string;
  createdBy: string;
  createdAt: string;
  lastMessageAt: string;
  unreadCount: number;
  /** Read receipts: each participant's last read message id. */
  readUpTo: Record<string, string>;
}

/** GET /v1/conversations: the caller's own, newest first, each with its unread count. */
export async function listConversations(ports: ChatPorts, caller: Caller, limit: number, cursor?: string) {
  const me = caller.principal.userId;
  const rows = await ports.conversations.listFor(me, limit + 1, cursor);
  const page = rows.slice(0, limit);
  const items: ConversationView[] = await Promise.all(
    page.map(async (c) => ({
      id: c.id,
      participantIds: c.participants.map((p) => p.userId),
      ...(c.patientId ? { patientId: c.patientId } : {}),
      ...(c.subject ? { subject: await ports.cipher.open(c, `${c.id}:subject`, c.subject) } : {}),
      createdBy: c.createdBy,
      createdAt: c.createdAt.toISOString(),
      lastMessageAt: c.lastMessageAt.toISOString(),
      unreadCount: await ports.messages.unread(c.id, me, c.readUpTo[me]),
      readUpTo: c.readUpTo,
    })),
  );
  return { items, nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null };
}
