import { type AppendResult, ChainWriter, findTail } from '../domain/chain-writer.js';
import { Checkpointer } from '../domain/checkpointer.js';
import type { Digest } from '../domain/digest.js';
import type {
  CheckpointArchive,
  CheckpointLedger,
  Lease,
  RecordedEvents,
  RecordStore,
  SegmentStore,
  SignatureVerifier,
  Signer,
} from '../domain/ports.js';
import { type AuditableEvent, draftFromEvent } from '../domain/record.js';
import { RecentRecords } from './recent-records.js';
import { Sealer } from './seal-segments.js';
import { type LogVerifyResult, type VerifyRange, verifyLog } from './verify-log.js';

export interface AuditLogPorts<S extends RecordStore> {
  store: S & { ensureIndexes(): Promise<void> };
  segments: SegmentStore;
  digestLedger: CheckpointLedger<Digest>;
  /** Head checkpoints written before sealing existed: still verified, written only on demand. */
  archive: CheckpointArchive;
  checkpointLedger: CheckpointLedger;
  lease: Lease;
  signer: Signer;
  verifier: SignatureVerifier;
  recorded?: RecordedEvents;
}

export interface AuditLogPolicy {
  /** Records per sealed segment (and the backlog that triggers sealing). */
  sealEvery: number;
  /** Seal at least this often when records are unsealed. */
  sealIntervalSeconds: number;
  appendBatch: number;
  /** Called when a full segment is waiting (the sealer job's kick). */
  onSealDue?: () => void;
}

/** The audit log's use cases over its ports. HTTP, messaging, jobs and the CLI call only this. */
export interface AuditLog<S extends RecordStore> {
  store: S;
  archive: CheckpointArchive;
  segments: SegmentStore;
  writer: ChainWriter;
  sealer: Sealer;
  /** Legacy head checkpoints (kept for chains and tests that use them; the sealer replaces them). */
  checkpointer: Checkpointer;
  /** Appends one event (idempotent on its id). */
  ingest(event: AuditableEvent): Promise<AppendResult>;
  /** Appends many events in order, one write batch (idempotent on each id). */
  ingestMany(events: AuditableEvent[]): Promise<AppendResult[]>;
  verify(range?: VerifyRange): Promise<LogVerifyResult>;
}

export function createAuditLog<S extends RecordStore>(ports: AuditLogPorts<S>, policy: AuditLogPolicy): AuditLog<S> {
  const { store } = ports;
  let ready: Promise<void> | undefined;
  const init = () => {
    ready ??= ensureIndexesWithRetry(store).catch((err: unknown) => {
      ready = undefined;
      throw err;
    });
    return ready;
  };
  // A few segments: the sealer reads a full segment from memory even while the next ones fill.
  const recent = new RecentRecords(policy.sealEvery * 4 + policy.appendBatch);
  const writer = new ChainWriter(store, {
    maxBatch: policy.appendBatch,
    ...(ports.recorded ? { recorded: ports.recorded } : {}),
    onStored: (records) => recent.add(records),
    onAppended: (tail) => {
      if (tail.seq - sealer.sealedThrough >= policy.sealEvery) policy.onSealDue?.();
    },
  });
  const sealer = new Sealer(
    {
      segments: ports.segments,
      ledger: ports.digestLedger,
      lease: ports.lease,
      signer: ports.signer,
      tail: () => findTail(store),
      records: async (from, to) => {
        const { found, missing } = recent.take(from, to);
        if (missing.length > 0) {
          for (const r of await store.getRange(missing[0]!, missing[missing.length - 1]!)) {
            if (!found.has(r.seq)) found.set(r.seq, r);
          }
        }
        const out = [];
        for (let s = from; s <= to; s++) {
          const r = found.get(s);
          if (r) out.push(r);
        }
        recent.dropThrough(from - 1);
        return out;
      },
    },
    { every: policy.sealEvery, intervalSeconds: policy.sealIntervalSeconds },
  );
  const checkpointer = new Checkpointer(
    {
      records: store,
      ledger: ports.checkpointLedger,
      archive: ports.archive,
      signer: ports.signer,
      tail: () => findTail(store),
    },
    { every: policy.sealEvery, intervalSeconds: policy.sealIntervalSeconds },
  );

  return {
    store,
    archive: ports.archive,
    segments: ports.segments,
    writer,
    sealer,
    checkpointer,
    async ingest(event) {
      await init();
      return writer.append(draftFromEvent(event));
    },
    async ingestMany(events) {
      await init();
      // Queued together, so the writer puts them in one ordered batch (in this order).
      return Promise.all(events.map((e) => writer.append(draftFromEvent(e))));
    },
    verify: (range = {}) =>
      verifyLog(
        {
          store,
          segments: ports.segments,
          archive: ports.archive,
          digestLedger: ports.digestLedger,
          verifier: ports.verifier,
        },
        range,
      ),
  };
}

/**
 * FerretDB v1 drops the connection when two clients create the same indexes on a fresh
 * collection at once (seen: two instances starting together); the second try finds them made.
 */
async function ensureIndexesWithRetry(store: { ensureIndexes(): Promise<void> }, attempts = 4): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await store.ensureIndexes();
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 150 * i));
    }
  }
}
