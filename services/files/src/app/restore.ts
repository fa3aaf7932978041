import { AppError } from '@medvault/common/errors';
import { type EventMeta, event } from '../domain/events.js';
import { contentKey, type FileRecord, fileFacts, isDuplicateKey, untrashKey } from '../domain/file.js';
import { nextStatus } from '../domain/lifecycle.js';
import type { FilesPorts } from '../domain/ports.js';

type Ports = Pick<FilesPorts, 'clock' | 'files' | 'objects'>;

/** Back from the trash to the status it had (a quarantined file is scanned again). */
export async function restore(ports: Ports, f: FileRecord, meta: EventMeta): Promise<FileRecord> {
  if (
    f.status === 'purged' ||
    (f.status === 'deleted' && f.purgeAfter && new Date(f.purgeAfter) <= ports.clock.now())
  ) {
    throw new AppError('GONE', 'The file has been purged and cannot be restored');
  }
  const status = nextStatus(f.status, 'restore', f.previousStatus);
  const back = { bucket: f.location.bucket, key: untrashKey(f.location.key) };
  await ports.objects.move(f.location, back);
  // A verdict that arrived while the file was in the trash was ignored: a file restored to
  // quarantine is sent for a fresh scan (new generation) instead of waiting for ever.
  const rescan = status === 'quarantined';
  const generation = rescan ? f.generation + 1 : f.generation;
  const events = [event(ports.clock, 'file.restored', fileFacts(f), meta)];
  if (rescan) {
    events.push(
      event(
        ports.clock,
        'file.rescan_requested',
        { fileId: f._id, bucket: back.bucket, key: back.key, generation, reason: 'restored from trash' },
        meta,
      ),
    );
  }
  const set = { status, generation, location: back, deletedAt: null, purgeAfter: null };
  // Back in the live set under its content key, unless the same bytes were uploaded again
  // meanwhile: then both stay (the restored one keeps its retired key and is no dedupe target).
  const next = await ports.files
    .update(f, { ...set, liveKey: contentKey(f.ownerId, f.uploadedBy, f.sha256) }, events)
    .catch((e: unknown) => {
      if (isDuplicateKey(e)) return ports.files.update(f, set, events);
      throw e;
    });
  if (!next) throw new AppError('CONFLICT', 'File changed concurrently, retry', { retryable: true });
  return next;
}
