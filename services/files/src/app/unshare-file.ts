import type { Principal } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { type EventMeta, event } from '../domain/events.js';
import type { FilesPorts } from '../domain/ports.js';
import { authorize } from './access.js';

type Ports = Pick<FilesPorts, 'files' | 'projections' | 'grants' | 'clock'>;

/** DELETE /v1/files/:id/shares/:userId: ends a share (file.unshared once, even when raced). */
export async function unshareFile(
  ports: Ports,
  p: Principal,
  fileId: string,
  userId: string,
  meta: EventMeta,
): Promise<void> {
  const f = await ports.files.mustGet(fileId);
  await authorize(ports, p, 'file:share', f);
  if (!f.shares.some((s) => s.userId === userId)) throw new AppError('NOT_FOUND', 'No share for that user');
  await ports.files.mutate(f._id, (cur) =>
    cur.shares.some((s) => s.userId === userId)
      ? {
          set: { shares: cur.shares.filter((s) => s.userId !== userId) },
          events: [
            event(
              ports.clock,
              'file.unshared',
              { fileId: cur._id, ownerId: cur.ownerId, patientId: cur.patientId, userId },
              meta,
            ),
          ],
        }
      : null,
  );
}
