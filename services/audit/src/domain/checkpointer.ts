import { CHECKPOINT_ALGORITHM, type Checkpoint, checkpointMessage, type UnsignedCheckpoint } from './checkpoint.js';
import type { CheckpointArchive, CheckpointLedger, RecordStore, Signer } from './ports.js';
import { hashOf } from './record.js';

export interface CheckpointPolicy {
  /** Checkpoint once this many records accumulated since the last one. */
  every: number;
  /** ... or once this many seconds passed and at least one new record exists. */
  intervalSeconds: number;
}

export interface CheckpointerDeps {
  records: RecordStore;
  ledger: CheckpointLedger;
  archive: CheckpointArchive;
  signer: Signer;
  /** The current chain tail (the writer's refresh: hint + forward walk). */
  tail: () => Promise<{ seq: number; hash: string }>;
  clock?: () => Date;
}

/**
 * Seals the chain head with a KMS signature every N records or T seconds. Several instances
 * may run it: the Mongo ledger admits exactly one successor per checkpoint (unique key), so the
 * checkpoint chain cannot fork; the winner then writes the write-once S3 object. A crash between
 * the two is repaired on the next tick (the latest ledger entry is re-archived, never overwritten).
 */
export class Checkpointer {
  private latest: Checkpoint | null | undefined;
  private archivedSeq = -1;
  private readonly clock: () => Date;

  constructor(
    private readonly deps: CheckpointerDeps,
    private readonly policy: CheckpointPolicy,
  ) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** Latest checkpoint in the ledger (hint, then successors). */
  async latestCheckpoint(): Promise<Checkpoint | null> {
    let cp = this.latest ?? (await this.deps.ledger.readHint());
    for (;;) {
      const next = await this.deps.ledger.successorOf(cp?.seq ?? 0);
      if (!next) break;
      cp = next;
    }
    this.latest = cp ?? null;
    return this.latest;
  }

  /** Writes a checkpoint when one is due (or `force`); returns it, or null when none was written. */
  async tick(force = false): Promise<Checkpoint | null> {
    const last = await this.latestCheckpoint();
    if (last && last.seq > this.archivedSeq) {
      await this.deps.archive.put(last);
      this.archivedSeq = last.seq;
    }
    const tail = await this.deps.tail();
    const lastSeq = last?.seq ?? 0;
    if (tail.seq <= lastSeq) return null;
    const ageSeconds = last ? (this.clock().getTime() - Date.parse(last.time)) / 1000 : Number.POSITIVE_INFINITY;
    const due = force || tail.seq - lastSeq >= this.policy.every || ageSeconds >= this.policy.intervalSeconds;
    if (!due) return null;

    // Never sign a head whose own hash does not match its content.
    const head = await this.deps.records.getBySeq(tail.seq);
    if (!head || hashOf(head) !== head.hash)
      throw new Error(`refusing to checkpoint seq ${tail.seq}: record missing or altered`);

    const unsigned: UnsignedCheckpoint = {
      version: 1,
      seq: head.seq,
      hash: head.hash,
      time: this.clock().toISOString(),
      previousSeq: lastSeq,
      previousCheckpointSignature: last?.signature ?? null,
      keyId: this.deps.signer.keyId,
      algorithm: CHECKPOINT_ALGORITHM,
    };
    const signature = (await this.deps.signer.sign(checkpointMessage(unsigned))).toString('base64');
    const cp: Checkpoint = { ...unsigned, signature };
    if (!(await this.deps.ledger.claim(cp))) {
      this.latest = undefined; // another instance extended the chain first: re-read next time
      return null;
    }
    await this.deps.archive.put(cp);
    this.archivedSeq = cp.seq;
    this.latest = cp;
    await this.deps.ledger.writeHint(cp).catch(() => undefined);
    return cp;
  }
}
