import { type EventMeta, event } from '../domain/events.js';
import type { FileRecord } from '../domain/file.js';
import { canTransition, nextStatus } from '../domain/lifecycle.js';
import type { FilesPorts } from '../domain/ports.js';

type Ports = Pick<FilesPorts, 'clock' | 'files'>;

/** Rescan: bump the generation so late verdicts for the old one are ignored; the object stays put. */
export async function requestRescan(
  ports: Ports,
  fileId: string,
  reason: string,
  meta: EventMeta,
): Promise<FileRecord | null> {
  return ports.files.mutate(fileId, (cur) => {
    if (!canTransition(cur.status, 'rescan')) return null;
    const generation = cur.generation + 1;
    return {
      set: { status: nextStatus(cur.status, 'rescan'), generation },
      events: [
        event(
          ports.clock,
          'file.rescan_requested',
          {
            fileId: cur._id,
            bucket: cur.location.bucket,
            key: cur.location.key,
            generation,
            reason: reason.slice(0, 200),
          },
          meta,
        ),
      ],
    };
  });
}
