import { newId } from '@medvault/common/ids';
import { type EventMeta, event, systemMeta } from '../domain/events.js';
import { type FileRecord, fileFacts } from '../domain/file.js';
import type { FilesPorts } from '../domain/ports.js';

type Ports = Pick<FilesPorts, 'clock' | 'files' | 'objects'>;

/** Deletes the ciphertext, derivatives and the wrapped data key for good. Idempotent. */
export async function purge(ports: Ports, f: FileRecord, meta: EventMeta): Promise<boolean> {
  if (f.status !== 'deleted') return false;
  await ports.objects.delete(f.location);
  for (const d of f.derivatives) await ports.objects.delete(d);
  const next = await ports.files.update(
    f,
    { status: 'purged', wrappedKey: null, derivatives: [], shares: [], purgedAt: ports.clock.now() },
    [event(ports.clock, 'file.purged', fileFacts(f), meta)],
  );
  return next !== null;
}

/** One purge pass: every deleted file past purgeAfter (by the injectable clock) goes for good. */
export async function purgeDue(ports: Ports): Promise<number> {
  let n = 0;
  for (;;) {
    const due = await ports.files.dueForPurge(ports.clock.now(), 100);
    if (due.length === 0) break;
    let progressed = false;
    for (const f of due) {
      if (await purge(ports, f, systemMeta(newId('request')))) {
        n++;
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  return n;
}
