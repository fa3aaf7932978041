import { AppError } from '@medvault/common/errors';
import { type EventMeta, event } from '../domain/events.js';
import { type FileRecord, fileFacts, retiredKey, trashKey } from '../domain/file.js';
import { nextStatus } from '../domain/lifecycle.js';
import type { FilesPorts } from '../domain/ports.js';

type Ports = Pick<FilesPorts, 'clock' | 'files' | 'objects' | 'settings'>;

/** Soft delete: the ciphertext moves under trash/ (a bucket lifecycle rule expires it too). */
export async function softDelete(ports: Ports, f: FileRecord, meta: EventMeta): Promise<FileRecord> {
  nextStatus(f.status, 'delete');
  const now = ports.clock.now();
  const purgeAfter = new Date(now.getTime() + ports.settings.TRASH_RETENTION_DAYS * 86_400_000);
  const trashed = { bucket: f.location.bucket, key: trashKey(f.location.key) };
  await ports.objects.move(f.location, trashed);
  const next = await ports.files.update(
    f,
    // Retired key: the same bytes may be uploaded again as a new file while this one is in the trash.
    {
      status: 'deleted',
      previousStatus: f.status,
      location: trashed,
      deletedAt: now,
      purgeAfter,
      liveKey: retiredKey(f._id),
    },
    [event(ports.clock, 'file.deleted', { ...fileFacts(f), purgeAfter: purgeAfter.toISOString() }, meta)],
  );
  if (!next) {
    await ports.objects.move(trashed, f.location).catch(() => undefined);
    throw new AppError('CONFLICT', 'File changed concurrently, retry', { retryable: true });
  }
  return next;
}
