import { AppError } from '@medvault/common/errors';
import { newId } from '@medvault/common/ids';
import { canOpen, MAX_PARTICIPANTS } from '../domain/membership.js';
import type { Caller, ChatPorts } from '../domain/ports.js';
import type { Conversation } from '../domain/types.js';
import { convRef } from './access.js';

export interface OpenInput {
  participantIds: string[];
  subject?: string;
}

/** POST /v1/conversations: care rules checked, a data key minted for it, chat.conversation_created. */
export async function openConversation(ports: ChatPorts, caller: Caller, input: OpenInput): Promise<Conversation> {
  const me = caller.principal.userId;
  const otherIds = [...new Set(input.participantIds)].filter((id) => id !== me);
  if (otherIds.length === 0) throw new AppError('BAD_REQUEST', 'A conversation needs at least one other participant');
  if (otherIds.length + 1 > MAX_PARTICIPANTS)
    throw new AppError('BAD_REQUEST', `At most ${MAX_PARTICIPANTS} participants`);
  const users = await ports.directory.users(otherIds);
  const everyone = [
    { id: me, role: caller.principal.role },
    ...otherIds.map((id) => ({ id, role: users.get(id)?.role })),
  ];
  const patientId = everyone.find((x) => x.role === 'patient')?.id;
  const clinicians = everyone.filter((x) => x.role === 'clinician').map((x) => x.id);
  const carers = patientId ? await ports.directory.carers(patientId, clinicians) : new Set<string>();
  const d = canOpen(caller.principal, otherIds, users, (clinicianId) => carers.has(clinicianId));
  if (!d.allowed || !d.participants) {
    // Unknown ids and people out of care are refused alike: the answer must not reveal who exists.
    throw new AppError('FORBIDDEN', 'You may not open a conversation with these participants', {
      details: { reason: d.reason },
    });
  }
  const id = newId('conversation');
  const now = ports.clock.now();
  const key = await ports.cipher.newKey(id);
  const c: Conversation = {
    id,
    participants: d.participants,
    ...(d.patientId ? { patientId: d.patientId } : {}),
    createdBy: me,
    createdAt: now,
    lastMessageAt: now,
    wrappedKey: key.wrappedKey,
    keyId: key.keyId,
    readUpTo: {},
  };
  if (input.subject) c.subject = await ports.cipher.seal(c, `${id}:subject`, input.subject);
  await ports.conversations.insert(c);
  await ports.events.emit(
    'chat.conversation_created',
    { ...convRef(c), participantIds: c.participants.map((p) => p.userId) },
    caller,
  );
  return c;
}
