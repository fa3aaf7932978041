import type { Principal } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { type EventMeta, event } from '../domain/events.js';
import type { FilesPorts } from '../domain/ports.js';
import { authorize } from './access.js';

type Ports = Pick<FilesPorts, 'files' | 'projections' | 'grants' | 'clock'>;

/**
 * CONTRACT: a file is shared "to an active clinician". The user projection (fed by the
 * gateway's user.created/user.updated) is the only source of who exists here, so an id it does
 * not know is refused too, never trusted: a share to a patient, an admin or a made-up id would
 * be stored and notified. Refusals are 422 with `reason`; the projection catching up with a
 * just-created clinician is a matter of a second, so `unknown_user` is marked retryable.
 */
async function assertShareTarget(ports: Ports, userId: string): Promise<void> {
  const target = await ports.projections.getUser(userId);
  const refuse = (reason: string, message: string, retryable = false) =>
    new AppError('UNPROCESSABLE', message, { retryable, details: { field: 'userId', reason } });
  if (!target) throw refuse('unknown_user', 'No such user', true);
  if (target.role !== 'clinician') throw refuse('not_a_clinician', 'Files are shared with clinicians only');
  if (!target.active) throw refuse('inactive', 'That clinician is deactivated');
}

/** POST /v1/files/:id/shares: shares the file with a clinician, optionally until a date (file.shared). */
export async function shareFile(
  ports: Ports,
  p: Principal,
  fileId: string,
  input: { userId: string; expiresAt: Date | null },
  meta: EventMeta,
): Promise<{ fileId: string; userId: string; expiresAt: Date | null }> {
  const { userId, expiresAt } = input;
  if (expiresAt && expiresAt <= ports.clock.now())
    throw new AppError('BAD_REQUEST', 'expiresAt must be in the future', { details: { field: 'expiresAt' } });
  const f = await ports.files.mustGet(fileId);
  await authorize(ports, p, 'file:share', f);
  if (userId === f.ownerId || userId === p.userId)
    throw new AppError('BAD_REQUEST', 'A file cannot be shared with its owner or yourself');
  await assertShareTarget(ports, userId);
  await ports.files.mutate(f._id, (cur) => ({
    set: { shares: [...cur.shares.filter((s) => s.userId !== userId), { userId, expiresAt }] },
    events: [
      event(
        ports.clock,
        'file.shared',
        {
          fileId: cur._id,
          ownerId: cur.ownerId,
          patientId: cur.patientId,
          sharedWith: userId,
          ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
        },
        meta,
      ),
    ],
  }));
  return { fileId: f._id, userId, expiresAt };
}
