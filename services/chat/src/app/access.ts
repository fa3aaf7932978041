import { AppError } from '@medvault/common/errors';
import { canWrite, isParticipant } from '../domain/membership.js';
import type { Caller, ChatPorts } from '../domain/ports.js';
import type { Conversation, Message } from '../domain/types.js';

/**
 * The conversation if the caller takes part in it. Anyone else (admins and compliance included:
 * they never read message content) gets 404, the same answer as for an id that does not exist,
 * so ids reveal nothing.
 */
export async function asParticipant(ports: ChatPorts, caller: Caller, id: string): Promise<Conversation> {
  const c = await ports.conversations.get(id);
  if (!c || !isParticipant(c, caller.principal.userId)) throw new AppError('NOT_FOUND', 'Conversation not found');
  return c;
}

/** Throws 403 unless the conversation still takes messages (care ongoing for a patient's). */
export async function assertWritable(ports: ChatPorts, c: Conversation): Promise<void> {
  const carers = c.patientId
    ? await ports.directory.carers(
        c.patientId,
        c.participants.filter((p) => p.role === 'clinician').map((p) => p.userId),
      )
    : new Set<string>();
  const d = canWrite(c, (clinicianId) => carers.has(clinicianId));
  if (!d.allowed)
    throw new AppError('FORBIDDEN', 'This conversation is closed: the patient is no longer in care', {
      details: { reason: d.reason },
    });
}

/** A muted user sends nothing until the mute ends (403, with the time it ends). */
export async function assertNotMuted(ports: ChatPorts, caller: Caller): Promise<void> {
  const until = await ports.mutes.until(caller.principal.userId, ports.clock.now());
  if (until)
    throw new AppError('FORBIDDEN', 'You are muted in chat', {
      details: { reason: 'muted', until: until.toISOString() },
    });
}

export interface MessageView {
  id: string;
  conversationId: string;
  senderId: string;
  /** null once deleted. */
  text: string | null;
  attachmentFileIds: string[];
  sentAt: string;
  editedAt?: string;
  deletedAt?: string;
}

export const messageAad = (m: Pick<Message, 'id' | 'conversationId'>) => `${m.conversationId}:${m.id}`;

export async function viewOf(ports: ChatPorts, c: Conversation, m: Message): Promise<MessageView> {
  return {
    id: m.id,
    conversationId: m.conversationId,
    senderId: m.senderId,
    text: m.body ? await ports.cipher.open(c, messageAad(m), m.body) : null,
    attachmentFileIds: m.attachmentFileIds,
    sentAt: m.sentAt.toISOString(),
    ...(m.editedAt ? { editedAt: m.editedAt.toISOString() } : {}),
    ...(m.deletedAt ? { deletedAt: m.deletedAt.toISOString() } : {}),
  };
}

export const others = (c: Conversation, userId: string) =>
  c.participants.map((p) => p.userId).filter((id) => id !== userId);

/** The audit fields every chat.* event about a conversation carries. */
export const convRef = (c: Conversation) => ({
  conversationId: c.id,
  ...(c.patientId ? { patientId: c.patientId } : {}),
  resourceType: 'conversation' as const,
  resourceId: c.id,
});
