import type { Collection, Db } from 'mongodb';
import { type Checkpoint, padSeq } from '../domain/checkpoint.js';
import type { CheckpointLedger } from '../domain/ports.js';

type Linked = { seq: number; previousSeq: number };
type LedgerDoc<T> = T & { _id: string };
type HintDoc<T> = { _id: string; checkpoint: T };

function strip<T>(d: LedgerDoc<T>): T {
  const { _id, ...cp } = d as LedgerDoc<T> & { _id: string };
  return cp as T;
}

/**
 * The checkpoint chain in Mongo, keyed by the checkpoint it extends (`after:<prevSeq>`): the
 * unique primary key admits one successor per checkpoint, so concurrent instances cannot fork it.
 */
export class MongoCheckpointLedger<T extends Linked = Checkpoint> implements CheckpointLedger<T> {
  private readonly ledger: Collection<LedgerDoc<Linked>>;
  private readonly head: Collection<HintDoc<Linked>>;

  /** Legacy checkpoints: collection `checkpoints`, hint `checkpoints`; sealed digests: `digests`. */
  constructor(
    db: Db,
    private readonly name: 'checkpoints' | 'digests' = 'checkpoints',
  ) {
    this.ledger = db.collection<LedgerDoc<Linked>>(name);
    this.head = db.collection<HintDoc<Linked>>('chain_head');
  }

  async readHint(): Promise<T | null> {
    return ((await this.head.findOne({ _id: this.name }))?.checkpoint as T | undefined) ?? null;
  }

  async writeHint(cp: T): Promise<void> {
    const r = await this.head.updateOne(
      { _id: this.name, 'checkpoint.seq': { $lt: cp.seq } },
      { $set: { checkpoint: cp } },
    );
    if (r.matchedCount === 0) await this.head.insertOne({ _id: this.name, checkpoint: cp }).catch(() => undefined);
  }

  async successorOf(previousSeq: number): Promise<T | null> {
    const d = await this.ledger.findOne({ _id: `after:${padSeq(previousSeq)}` });
    return d ? strip(d as LedgerDoc<T>) : null;
  }

  async claim(cp: T): Promise<boolean> {
    try {
      await this.ledger.insertOne({ _id: `after:${padSeq(cp.previousSeq)}`, ...cp });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }
}
