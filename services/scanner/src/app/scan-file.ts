import { AppError } from '@medvault/common/errors';
import { createEvent, type EventData } from '@medvault/common/events';
import type { ObjectOpener, VerdictRecord, VerdictStore, VirusScanner } from '../domain/ports.js';
import { type Decision, decideAll, type EngineVersion, type UnscannablePolicy } from '../domain/verdict.js';

export interface ScanRequest {
  fileId: string;
  generation: number;
  bucket: string;
  key: string;
  ownerId?: string;
  /** Declared plaintext size (uploads); checked before any byte is fetched. */
  size?: number;
  round: string;
  correlationId: string;
}

export interface ScanPolicy {
  maxBytes: number;
  unscannable: UnscannablePolicy;
  maxAttempts: number;
  /** Buckets the scanner may read; a request naming another one is refused. */
  buckets: string[];
}

export interface ScanDeps {
  opener: ObjectOpener;
  scanner: VirusScanner;
  store: VerdictStore;
  publish(event: VerdictRecord['event']): Promise<void>;
  policy: ScanPolicy;
  now?: () => Date;
}

export type ScanOutcome =
  | { kind: 'outdated'; latestGeneration: number }
  | { kind: 'replayed'; record: VerdictRecord }
  | { kind: 'scanned'; record: VerdictRecord };

/** Failures a later attempt may not hit (clamd/S3/KMS down, network). Anything unknown counts. */
export function isTransient(e: unknown): boolean {
  return AppError.is(e) ? e.retryable : true;
}

function describe(e: unknown): string {
  const msg = e instanceof Error ? e.message : 'scan failed';
  return msg.slice(0, 300);
}

async function scanOnce(d: ScanDeps, r: ScanRequest): Promise<Decision> {
  if (!d.policy.buckets.includes(r.bucket)) {
    return { verdict: 'error', signatures: [], error: 'object is in a bucket the scanner does not read' };
  }
  if (r.size !== undefined && r.size > d.policy.maxBytes) {
    return { verdict: 'error', signatures: [], error: `file exceeds the scan limit of ${d.policy.maxBytes} bytes` };
  }
  const stream = await d.opener.open({ bucket: r.bucket, key: r.key, fileId: r.fileId, ownerId: r.ownerId });
  return decideAll(await d.scanner.scan(stream, d.policy.maxBytes), d.policy.unscannable);
}

/**
 * Scans one object generation and publishes exactly one verdict for it, fail closed:
 * - an outdated generation (a newer one was seen) is ignored;
 * - a stored verdict is re-published unchanged (same event id) instead of scanning again;
 * - a transient failure throws (SQS retries with backoff) until the last attempt, which
 *   records a final `error` verdict (files marks the file scan_failed) — never `clean`.
 */
export async function scanFile(d: ScanDeps, r: ScanRequest, attempt: number): Promise<ScanOutcome> {
  const now = d.now ?? (() => new Date());
  const latest = await d.store.noteGeneration(r.fileId, r.generation);
  if (r.generation < latest) return { kind: 'outdated', latestGeneration: latest };
  const existing = await d.store.find(r.fileId, r.generation, r.round);
  if (existing) {
    await d.publish(existing.event);
    return { kind: 'replayed', record: existing };
  }

  const started = Date.now();
  let version: EngineVersion = { engine: 'unknown', databaseVersion: '0' };
  let decision: Decision;
  try {
    version = await d.scanner.version();
    decision = await scanOnce(d, r);
  } catch (e) {
    if (isTransient(e) && attempt < d.policy.maxAttempts) throw e;
    decision = { verdict: 'error', signatures: [], error: describe(e) };
  }

  const data: EventData<'file.scanned'> = {
    fileId: r.fileId,
    generation: r.generation,
    verdict: decision.verdict,
    signatures: decision.signatures,
    engine: version.engine,
    databaseVersion: version.databaseVersion,
    durationMs: Date.now() - started,
  };
  if (version.databaseDate) data.databaseDate = version.databaseDate;
  // Every error verdict we publish is terminal: transient ones were retried above.
  if (decision.verdict === 'error') Object.assign(data, { error: decision.error ?? 'scan failed', final: true });
  const event = createEvent('file.scanned', data, { correlationId: r.correlationId, source: 'scanner', now: now() });
  const record = await d.store.insertOrGet({
    fileId: r.fileId,
    generation: r.generation,
    round: r.round,
    verdict: decision.verdict,
    event,
    recordedAt: now(),
  });
  // A newer generation may have arrived while we scanned: keep the record, publish nothing.
  const after = await d.store.noteGeneration(r.fileId, r.generation);
  if (r.generation < after) return { kind: 'outdated', latestGeneration: after };
  await d.publish(record.event);
  return record.event.id === event.id ? { kind: 'scanned', record } : { kind: 'replayed', record };
}
