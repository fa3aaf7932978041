import { AppError } from '@medvault/common/errors';
import { canChange } from '../domain/membership.js';
import type { Caller, ChatPorts } from '../domain/ports.js';
import { asParticipant } from './access.js';

/** The conversation and message a sender may still edit or delete (404 for anything not theirs to see). */
export async function changeable(ports: ChatPorts, caller: Caller, conversationId: string, messageId: string) {
  const c = await asParticipant(ports, caller, conversationId);
  const m = await ports.messages.get(c.id, messageId);
  if (!m) throw new AppError('NOT_FOUND', 'Message not found');
  const d = canChange(m, caller.principal.userId, ports.clock.now(), ports.settings.editWindowSeconds);
  if (!d.allowed)
    throw new AppError('FORBIDDEN', 'This message can no longer be changed', { details: { reason: d.reason } });
  return { c, m };
}
