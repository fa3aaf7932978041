import type { ChainTail, RecordedEvents, RecordStore } from './ports.js';
import { type AuditRecord, GENESIS_HASH, type RecordDraft, seal } from './record.js';

export interface AppendResult {
  /** The stored record (undefined when the event was already recorded earlier). */
  record?: AuditRecord;
  duplicate: boolean;
}

interface Pending {
  draft: RecordDraft;
  settled: boolean;
  resolve(r: AppendResult): void;
  reject(e: unknown): void;
}

export interface ChainWriterOptions {
  maxBatch?: number;
  /** Give up on a batch after this many lost races (the message is retried later). */
  maxAttempts?: number;
  clock?: () => Date;
  onAppended?: (tail: ChainTail) => void;
  /** Every record once it is durably stored, in seq order (the sealer's cache). */
  onStored?: (records: AuditRecord[]) => void;
  recorded?: RecordedEvents;
}

/** Thrown when the stored chain cannot be extended safely (e.g. the head points at a missing record). */
export class ChainStateError extends Error {}

/**
 * Appends records to the single global chain. The linearisation point is the unique storage
 * key of each record (its seq): a record n+1 can only be written by someone who read record n,
 * and only one writer can ever own n+1. A writer that loses the race re-reads the tail and
 * re-seals the rest of its batch on top, so instances never fork the chain or leave a gap,
 * without a lease, a lock or a transaction (FerretDB has none across documents).
 * Inside one instance appends are queued and written in ordered batches (throughput).
 */
export class ChainWriter {
  private tail: ChainTail | null = null;
  private stale = true;
  private readonly queue: Pending[] = [];
  private draining = false;
  private readonly maxBatch: number;
  private readonly maxAttempts: number;
  private readonly clock: () => Date;

  constructor(
    private readonly store: RecordStore,
    private readonly opts: ChainWriterOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 200;
    this.maxAttempts = opts.maxAttempts ?? 100;
    this.clock = opts.clock ?? (() => new Date());
  }

  append(draft: RecordDraft): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      const p: Pending = {
        draft,
        settled: false,
        resolve: (r) => {
          p.settled = true;
          resolve(r);
        },
        reject: (e) => {
          p.settled = true;
          reject(e);
        },
      };
      this.queue.push(p);
      void this.drain();
    });
  }

  /** The last record of the chain as stored now (see findTail); resets this writer's view. */
  async refreshTail(): Promise<ChainTail> {
    const t = await findTail(this.store, this.tail);
    this.tail = t;
    this.stale = false;
    return t;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await this.writeBatch(batch);
        } catch (err) {
          this.stale = true;
          for (const p of batch) if (!p.settled) p.reject(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async knownRecorded(ids: string[]): Promise<Set<string>> {
    if (!this.opts.recorded) return new Set();
    // A cache outage must not stop the log: fall back to the unique index alone.
    return this.opts.recorded.recorded(ids).catch(() => new Set<string>());
  }

  /**
   * An ordered insert that failed at i must not have stored anything after i: if the storage did
   * (FerretDB with oversized batches), the chain is already broken there; stop loudly rather than
   * build on it (verify names the seq).
   */
  private async assertNothingAfter(sealed: AuditRecord[], i: number): Promise<void> {
    const after = sealed[i + 1];
    if (!after) return;
    const stored = await this.store.getBySeq(after.seq);
    if (stored && stored.hash === after.hash) {
      throw new ChainStateError(`storage kept seq ${after.seq} after a failed ordered insert at ${sealed[i]!.seq}`);
    }
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    // The same event twice in one batch: one write, both callers get the answer.
    const firstOf = new Map<string, Pending>();
    let pending: Pending[] = [];
    const followers: { p: Pending }[] = [];
    for (const p of batch) {
      const leader = firstOf.get(p.draft.eventId);
      if (leader) followers.push({ p });
      else {
        firstOf.set(p.draft.eventId, p);
        pending.push(p);
      }
    }
    const known = await this.knownRecorded(pending.map((p) => p.draft.eventId));
    if (known.size > 0) {
      for (const p of pending) if (known.has(p.draft.eventId)) p.resolve({ duplicate: true });
      pending = pending.filter((p) => !p.settled);
    }
    const written: string[] = [];
    let lostRaces = 0;
    while (pending.length > 0) {
      const tail = this.stale || !this.tail ? await this.refreshTail() : this.tail;
      const now = this.clock();
      const sealed: AuditRecord[] = [];
      let prev = tail;
      for (const p of pending) {
        const r = seal(p.draft, prev.seq + 1, prev.hash, now);
        sealed.push(r);
        prev = r;
      }
      const res = await this.store.insertOrdered(sealed);
      if (res.inserted > 0) this.opts.onStored?.(sealed.slice(0, res.inserted));
      for (let i = 0; i < res.inserted; i++) {
        pending[i]!.resolve({ record: sealed[i]!, duplicate: false });
        written.push(sealed[i]!.eventId);
      }
      if (res.inserted > 0) {
        const last = sealed[res.inserted - 1]!;
        this.tail = { seq: last.seq, hash: last.hash };
      }
      if (res.conflictAt === undefined) break;
      const i = res.conflictAt;
      await this.assertNothingAfter(sealed, i);
      const occupant = await this.store.getBySeq(sealed[i]!.seq);
      const rest = pending.slice(i + 1);
      if (!occupant) {
        // The seq was free, so the event id is what collided: already recorded (redelivery).
        pending[i]!.resolve({ duplicate: true });
      } else {
        // Another writer took this seq first; if it wrote this very event, we are done with it.
        if (occupant.eventId === pending[i]!.draft.eventId) pending[i]!.resolve({ duplicate: true });
        else rest.unshift(pending[i]!);
        this.stale = true;
        if (++lostRaces > this.maxAttempts) throw new ChainStateError('lost the append race too often; retry later');
        // A little jitter so two instances stop re-colliding on the same seq in lockstep.
        await new Promise((r) => setTimeout(r, Math.random() * 20));
      }
      pending = rest;
    }
    for (const { p } of followers) p.resolve({ duplicate: true });
    if (written.length > 0) await this.opts.recorded?.remember(written).catch(() => undefined);
    if (this.tail) {
      await this.store.writeHint(this.tail).catch(() => undefined);
      this.opts.onAppended?.(this.tail);
    }
  }
}

/**
 * The chain's last record: start from the best known tail (ours or the stored hint, whichever
 * is further), then gallop forward and binary-search the first free seq. Records are contiguous
 * by construction (n+1 is only ever written after n), so "seq exists" is monotone and a writer
 * that fell hundreds of records behind catches up in O(log n) point lookups.
 */
export async function findTail(store: RecordStore, known: ChainTail | null = null): Promise<ChainTail> {
  let t: ChainTail = known ?? { seq: 0, hash: GENESIS_HASH };
  const hint = await store.readHint();
  if (hint && hint.seq > t.seq) {
    const rec = await store.getBySeq(hint.seq);
    if (!rec) throw new ChainStateError(`chain head names seq ${hint.seq} but no such record exists: run verify`);
    t = { seq: rec.seq, hash: rec.hash };
  }
  let next = await store.getBySeq(t.seq + 1);
  if (!next) return t;
  let lo = next;
  let step = 1;
  let hi = 0;
  for (;;) {
    step *= 2;
    const probe = await store.getBySeq(lo.seq + step);
    if (!probe) {
      hi = lo.seq + step;
      break;
    }
    lo = probe;
  }
  while (hi - lo.seq > 1) {
    const mid = Math.floor((lo.seq + hi) / 2);
    next = await store.getBySeq(mid);
    if (next) lo = next;
    else hi = mid;
  }
  return { seq: lo.seq, hash: lo.hash };
}
