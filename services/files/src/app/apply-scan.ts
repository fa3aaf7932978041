import type { Envelope } from '@medvault/common/events';
import { type EventMeta, event } from '../domain/events.js';
import { fileFacts } from '../domain/file.js';
import { canTransition, nextStatus } from '../domain/lifecycle.js';
import type { FilesPorts } from '../domain/ports.js';

type Ports = Pick<FilesPorts, 'clock' | 'files' | 'objects' | 'settings'>;

/** file.scanned: moves clean ciphertext to the clean bucket; verdicts for old generations are ignored. */
export async function applyScan(ports: Ports, e: Envelope<'file.scanned'>, meta: EventMeta): Promise<string> {
  const d = e.data;
  const f = await ports.files.get(d.fileId);
  if (!f) return 'unknown file';
  if (d.generation !== f.generation) return 'outdated generation';
  if (d.verdict === 'error' && !d.final) return 'transient scan error (scanner retries)';
  const t = d.verdict === 'clean' ? 'scan_clean' : d.verdict === 'infected' ? 'scan_infected' : 'scan_error';
  if (!canTransition(f.status, t)) return `ignored in status ${f.status}`;
  // Clean ciphertext moves to the clean bucket; infected ciphertext found by a rescan of an
  // available file is pulled back to quarantine, so the clean bucket only ever holds clean files.
  const target =
    t === 'scan_clean' ? ports.settings.BUCKET_CLEAN : t === 'scan_infected' ? ports.settings.BUCKET_QUARANTINE : null;
  let location = f.location;
  if (target && location.bucket !== target) {
    // Copy first, record, then delete the old copy: a crash in between leaves a stray copy, never a lost file.
    location = { bucket: target, key: f.location.key };
    await ports.objects.copy(f.location, location);
  }
  const next = await ports.files.mutate(f._id, (cur) => {
    if (cur.generation !== d.generation || !canTransition(cur.status, t)) return null;
    const status = nextStatus(cur.status, t);
    const events =
      t === 'scan_clean'
        ? [
            event(
              ports.clock,
              'file.clean',
              {
                ...fileFacts(cur),
                sha256: cur.sha256,
                size: cur.size,
                contentType: cur.contentType,
                bucket: location.bucket,
                key: location.key,
                generation: cur.generation,
              },
              meta,
            ),
          ]
        : t === 'scan_infected'
          ? [
              event(
                ports.clock,
                'file.infected',
                {
                  ...fileFacts(cur),
                  uploadedBy: cur.uploadedBy,
                  signatures: d.signatures,
                  previousStatus: cur.status,
                  foundOnRescan: cur.lastScan?.verdict === 'clean',
                },
                meta,
              ),
            ]
          : [
              event(
                ports.clock,
                'file.scan_failed',
                {
                  fileId: cur._id,
                  ownerId: cur.ownerId,
                  uploadedBy: cur.uploadedBy,
                  reason: (d.error ?? 'scan failed').slice(0, 500),
                },
                meta,
              ),
            ];
    return {
      set: {
        status,
        location,
        lastScan: { verdict: d.verdict, engine: d.engine, databaseVersion: d.databaseVersion, at: ports.clock.now() },
      },
      events,
    };
  });
  if (next && f.location.bucket !== location.bucket && next.location.bucket === location.bucket) {
    await ports.objects.delete(f.location).catch(() => undefined);
  }
  return next?.status ?? 'unchanged';
}
