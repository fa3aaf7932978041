import { createHash } from 'node:crypto';
import { createDecryptStream } from '@medvault/common/crypto';
import { AppError } from '@medvault/common/errors';
import type { Envelope } from '@medvault/common/events';
import type { Deps } from '../deps.js';
import { canTransition, nextStatus } from '../domain/lifecycle.js';
import { trashKey, untrashKey } from '../storage/objects.js';
import { contentKey, type Derivative, type FileRecord, isDuplicateKey, retiredKey } from '../store/files-repo.js';
import { type EventMeta, event } from './events.js';
import { dicomFieldsOf } from './imaging.js';

const facts = (f: FileRecord) => ({ fileId: f._id, ownerId: f.ownerId, patientId: f.patientId });

/** file.scanned: moves clean ciphertext to the clean bucket; verdicts for old generations are ignored. */
export async function applyScan(deps: Deps, e: Envelope<'file.scanned'>, meta: EventMeta): Promise<string> {
  const d = e.data;
  const f = await deps.files.get(d.fileId);
  if (!f) return 'unknown file';
  if (d.generation !== f.generation) return 'outdated generation';
  if (d.verdict === 'error' && !d.final) return 'transient scan error (scanner retries)';
  const t = d.verdict === 'clean' ? 'scan_clean' : d.verdict === 'infected' ? 'scan_infected' : 'scan_error';
  if (!canTransition(f.status, t)) return `ignored in status ${f.status}`;
  // Clean ciphertext moves to the clean bucket; infected ciphertext found by a rescan of an
  // available file is pulled back to quarantine, so the clean bucket only ever holds clean files.
  const target =
    t === 'scan_clean' ? deps.config.BUCKET_CLEAN : t === 'scan_infected' ? deps.config.BUCKET_QUARANTINE : null;
  let location = f.location;
  if (target && location.bucket !== target) {
    // Copy first, record, then delete the old copy: a crash in between leaves a stray copy, never a lost file.
    location = { bucket: target, key: f.location.key };
    await deps.objects.copy(f.location, location);
  }
  const next = await deps.files.mutate(f._id, (cur) => {
    if (cur.generation !== d.generation || !canTransition(cur.status, t)) return null;
    const status = nextStatus(cur.status, t);
    const events =
      t === 'scan_clean'
        ? [
            event(
              deps.clock,
              'file.clean',
              {
                ...facts(cur),
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
                deps.clock,
                'file.infected',
                {
                  ...facts(cur),
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
                deps.clock,
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
        lastScan: { verdict: d.verdict, engine: d.engine, databaseVersion: d.databaseVersion, at: deps.clock.now() },
      },
      events,
    };
  });
  if (next && f.location.bucket !== location.bucket && next.location.bucket === location.bucket) {
    await deps.objects.delete(f.location).catch(() => undefined);
  }
  return next?.status ?? 'unchanged';
}

/** Plaintext size and SHA-256 of a derivative (same envelope format and context). */
async function measure(
  deps: Deps,
  f: FileRecord,
  d: Omit<Derivative, 'sha256'>,
): Promise<{ size: number; sha256: string }> {
  const { body } = await deps.objects.getRange(d);
  const hash = createHash('sha256');
  let size = 0;
  const dec = createDecryptStream({ keys: deps.keys, expectedContext: { fileId: f._id, ownerId: f.ownerId } });
  body.pipe(dec);
  for await (const c of dec) {
    hash.update(c as Buffer);
    size += (c as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}

/** file.processed: records derivatives (watermarked rendition) and makes the file available. */
export async function applyProcessed(deps: Deps, e: Envelope<'file.processed'>, meta: EventMeta): Promise<string> {
  const d = e.data;
  const f = await deps.files.get(d.fileId);
  if (!f) return 'unknown file';
  if (d.generation !== f.generation) return 'outdated generation';
  if (!d.sha256Verified || d.sha256 !== f.sha256) {
    await blockForIntegrity(deps, f._id, 'processing', d.sha256, meta);
    return 'blocked';
  }
  if (!canTransition(f.status, 'processed')) return `ignored in status ${f.status}`;
  const derivatives: Derivative[] = [];
  for (const x of d.derivatives) {
    const m = await measure(deps, f, x);
    derivatives.push({ kind: x.kind, bucket: x.bucket, key: x.key, contentType: x.contentType, ...m });
  }
  const next = await deps.files.mutate(f._id, (cur) => {
    if (cur.generation !== d.generation || !canTransition(cur.status, 'processed')) return null;
    return {
      set: { status: nextStatus(cur.status, 'processed'), derivatives, ...dicomFieldsOf(d) },
      events: [event(deps.clock, 'file.available', { ...facts(cur), uploadedBy: cur.uploadedBy }, meta)],
    };
  });
  return next?.status ?? 'unchanged';
}

/** file.processing_failed: the watermark service refused the file; it must never become available. */
export async function applyProcessingFailed(deps: Deps, e: Envelope<'file.processing_failed'>): Promise<string> {
  const d = e.data;
  const next = await deps.files.mutate(d.fileId, (cur) => {
    if (cur.generation !== d.generation || !canTransition(cur.status, 'processing_failed')) return null;
    return { set: { status: nextStatus(cur.status, 'processing_failed'), blockedReason: `processing:${d.code}` } };
  });
  return next?.status ?? 'unchanged';
}

/** Blocks a file whose bytes failed verification; emits file.integrity_failed unless already blocked. */
export async function blockForIntegrity(
  deps: Deps,
  fileId: string,
  stage: string,
  actual: string | undefined,
  meta: EventMeta,
  emit = true,
) {
  return deps.files.mutate(fileId, (cur) => {
    if (!canTransition(cur.status, 'integrity_failed')) return null;
    const events = emit
      ? [
          event(
            deps.clock,
            'file.integrity_failed',
            {
              ...facts(cur),
              stage,
              expectedSha256: cur.sha256,
              ...(actual && /^[0-9a-f]{64}$/.test(actual) ? { actualSha256: actual } : {}),
            },
            meta,
          ),
        ]
      : [];
    return { set: { status: nextStatus(cur.status, 'integrity_failed'), blockedReason: `integrity:${stage}` }, events };
  });
}

/** Soft delete: the ciphertext moves under trash/ (a bucket lifecycle rule expires it too). */
export async function softDelete(deps: Deps, f: FileRecord, meta: EventMeta): Promise<FileRecord> {
  nextStatus(f.status, 'delete');
  const now = deps.clock.now();
  const purgeAfter = new Date(now.getTime() + deps.config.TRASH_RETENTION_DAYS * 86_400_000);
  const trashed = { bucket: f.location.bucket, key: trashKey(f.location.key) };
  await deps.objects.move(f.location, trashed);
  const next = await deps.files.update(
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
    [event(deps.clock, 'file.deleted', { ...facts(f), purgeAfter: purgeAfter.toISOString() }, meta)],
  );
  if (!next) {
    await deps.objects.move(trashed, f.location).catch(() => undefined);
    throw new AppError('CONFLICT', 'File changed concurrently, retry', { retryable: true });
  }
  return next;
}

export async function restore(deps: Deps, f: FileRecord, meta: EventMeta): Promise<FileRecord> {
  if (f.status === 'purged' || (f.status === 'deleted' && f.purgeAfter && new Date(f.purgeAfter) <= deps.clock.now())) {
    throw new AppError('GONE', 'The file has been purged and cannot be restored');
  }
  const status = nextStatus(f.status, 'restore', f.previousStatus);
  const back = { bucket: f.location.bucket, key: untrashKey(f.location.key) };
  await deps.objects.move(f.location, back);
  // A verdict that arrived while the file was in the trash was ignored: a file restored to
  // quarantine is sent for a fresh scan (new generation) instead of waiting for ever.
  const rescan = status === 'quarantined';
  const generation = rescan ? f.generation + 1 : f.generation;
  const events = [event(deps.clock, 'file.restored', facts(f), meta)];
  if (rescan) {
    events.push(
      event(
        deps.clock,
        'file.rescan_requested',
        { fileId: f._id, bucket: back.bucket, key: back.key, generation, reason: 'restored from trash' },
        meta,
      ),
    );
  }
  const set = { status, generation, location: back, deletedAt: null, purgeAfter: null };
  // Back in the live set under its content key, unless the same bytes were uploaded again
  // meanwhile: then both stay (the restored one keeps its retired key and is no dedupe target).
  const next = await deps.files
    .update(f, { ...set, liveKey: contentKey(f.ownerId, f.uploadedBy, f.sha256) }, events)
    .catch((e: unknown) => {
      if (isDuplicateKey(e)) return deps.files.update(f, set, events);
      throw e;
    });
  if (!next) throw new AppError('CONFLICT', 'File changed concurrently, retry', { retryable: true });
  return next;
}

/** Deletes the ciphertext, derivatives and the wrapped data key for good. Idempotent. */
export async function purge(deps: Deps, f: FileRecord, meta: EventMeta): Promise<boolean> {
  if (f.status !== 'deleted') return false;
  await deps.objects.delete(f.location);
  for (const d of f.derivatives) await deps.objects.delete(d);
  const next = await deps.files.update(
    f,
    { status: 'purged', wrappedKey: null, derivatives: [], shares: [], purgedAt: deps.clock.now() },
    [event(deps.clock, 'file.purged', facts(f), meta)],
  );
  return next !== null;
}

/** Rescan: bump the generation so late verdicts for the old one are ignored; the object stays put. */
export async function requestRescan(
  deps: Deps,
  fileId: string,
  reason: string,
  meta: EventMeta,
): Promise<FileRecord | null> {
  return deps.files.mutate(fileId, (cur) => {
    if (!canTransition(cur.status, 'rescan')) return null;
    const generation = cur.generation + 1;
    return {
      set: { status: nextStatus(cur.status, 'rescan'), generation },
      events: [
        event(
          deps.clock,
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
