import { AppError } from '@medvault/common/errors';
import type { Caller, ChatPorts } from '../domain/ports.js';
import type { Flag } from '../domain/types.js';

/** Moderation review is for admins only; every action is audited through its chat.* event. */
function assertAdmin(caller: Caller) {
  if (caller.principal.role !== 'admin')
    throw new AppError('FORBIDDEN', 'Moderation is for admins', { details: { reason: 'admin only' } });
}

const flagView = (f: Flag) => ({
  id: f.id,
  conversationId: f.conversationId,
  messageId: f.messageId,
  senderId: f.senderId,
  categories: f.categories,
  createdAt: f.createdAt.toISOString(),
  status: f.status,
  ...(f.reviewedBy ? { reviewedBy: f.reviewedBy } : {}),
  ...(f.reviewedAt ? { reviewedAt: f.reviewedAt.toISOString() } : {}),
});

/**
 * GET /v1/moderation/flags: ids and categories, never the text (admins do not read message
 * content; the categories say why it was held).
 */
export async function listFlags(
  ports: ChatPorts,
  caller: Caller,
  status: Flag['status'],
  limit: number,
  cursor?: string,
) {
  assertAdmin(caller);
  const rows = await ports.flags.list(status, limit + 1, cursor);
  const page = rows.slice(0, limit);
  return { items: page.map(flagView), nextCursor: rows.length > limit ? (page[page.length - 1]?.id ?? null) : null };
}

export async function dismissFlag(ports: ChatPorts, caller: Caller, flagId: string) {
  assertAdmin(caller);
  const f = await ports.flags.review(flagId, caller.principal.userId, ports.clock.now());
  if (!f) throw new AppError('NOT_FOUND', 'No open flag with that id');
  await ports.events.emit(
    'chat.flag_dismissed',
    {
      flagId: f.id,
      conversationId: f.conversationId,
      messageId: f.messageId,
      senderId: f.senderId,
      resourceType: 'conversation',
      resourceId: f.conversationId,
    },
    caller,
  );
  return flagView(f);
}

export async function muteUser(ports: ChatPorts, caller: Caller, userId: string, minutes: number) {
  assertAdmin(caller);
  if (userId === caller.principal.userId) throw new AppError('BAD_REQUEST', 'You cannot mute yourself');
  const at = ports.clock.now();
  const until = new Date(at.getTime() + minutes * 60_000);
  await ports.mutes.set({ userId, until, by: caller.principal.userId, at });
  await ports.events.emit('chat.user_muted', { userId, until: until.toISOString() }, caller);
  return { userId, until: until.toISOString() };
}

export async function unmuteUser(ports: ChatPorts, caller: Caller, userId: string) {
  assertAdmin(caller);
  if (!(await ports.mutes.clear(userId))) throw new AppError('NOT_FOUND', 'That user is not muted');
  await ports.events.emit('chat.user_unmuted', { userId }, caller);
}
