import { canOpenEmergencyGrant, enforce, type Principal } from '@medvault/common/auth';
import { AppError, dependencyUnavailable } from '@medvault/common/errors';
import { newId } from '@medvault/common/ids';
import { type EventMeta, event } from '../domain/events.js';
import type { FilesPorts, GrantRecord } from '../domain/ports.js';

type Ports = Pick<FilesPorts, 'grants' | 'projections' | 'publisher' | 'clock' | 'settings'>;

/**
 * POST /v1/emergency-access. Break-glass (HIPAA 164.312(a)(2)(ii)): a clinician or admin opens a
 * time-boxed grant to one patient's files by stating a reason. The grant only works once
 * access.emergency_granted is published (audit records it, notify tells compliance), so no
 * emergency read goes unrecorded: if the bus refuses, the grant stays pending and the caller gets
 * 503 (`onUnpublished` is told, for the log).
 */
export async function openEmergencyGrant(
  ports: Ports,
  p: Principal,
  input: { patientId: string; reason: string },
  meta: EventMeta,
  onUnpublished: (err: unknown, grantId: string) => void = () => undefined,
): Promise<GrantRecord> {
  const { patientId } = input;
  const reason = input.reason.trim();
  enforce(canOpenEmergencyGrant(p, { patientId, reason }), 'Break-glass is not allowed');
  // Only a patient the user projection knows: a grant to an unknown id would be an audited,
  // compliance-notified incident about nobody (and a way to pre-arm access to a future id).
  const target = await ports.projections.getUser(patientId);
  if (!target || target.role !== 'patient')
    throw new AppError('UNPROCESSABLE', 'Emergency access is granted to an existing patient’s files only', {
      retryable: !target,
      details: { field: 'patientId', reason: target ? 'not_a_patient' : 'unknown_user' },
    });
  const now = ports.clock.now();
  const grant: GrantRecord = {
    _id: newId('grant'),
    userId: p.userId,
    patientId,
    reason,
    createdAt: now,
    expiresAt: new Date(now.getTime() + ports.settings.EMERGENCY_ACCESS_MINUTES * 60_000),
    state: 'pending',
  };
  await ports.grants.insert(grant);
  const e = event(
    ports.clock,
    'access.emergency_granted',
    { grantId: grant._id, patientId, reason, expiresAt: grant.expiresAt.toISOString() },
    meta,
  );
  try {
    await ports.publisher.publish(e);
  } catch (err) {
    onUnpublished(err, grant._id);
    throw dependencyUnavailable('event bus', err);
  }
  await ports.grants.activate(grant._id);
  return grant;
}
