import type { Collection, Db } from 'mongodb';
import { type Checkpoint, padSeq } from '../domain/checkpoint.js';
import type { CheckpointLedger } from '../domain/ports.js';

type LedgerDoc = Checkpoint & { _id: string };
type HintDoc = { _id: string; checkpoint: Checkpoint };
const HINT_ID = 'checkpoints';

const strip = (d: LedgerDoc): Checkpoint => {
  const { _id, ...cp } = d;
  return cp;
};

/**
 * The checkpoint chain in Mongo, keyed by the checkpoint it extends (`after:<prevSeq>`): the
 * unique primary key admits one successor per checkpoint, so concurrent instances cannot fork it.
 */
export class MongoCheckpointLedger implements CheckpointLedger {
  private readonly ledger: Collection<LedgerDoc>;
  private readonly head: Collection<HintDoc>;

  constructor(db: Db) {
    this.ledger = db.collection<LedgerDoc>('checkpoints');
    this.head = db.collection<HintDoc>('chain_head');
  }

  async readHint(): Promise<Checkpoint | null> {
    return (await this.head.findOne({ _id: HINT_ID }))?.checkpoint ?? null;
  }

  async writeHint(cp: Checkpoint): Promise<void> {
    const r = await this.head.updateOne(
      { _id: HINT_ID, 'checkpoint.seq': { $lt: cp.seq } },
      { $set: { checkpoint: cp } },
    );
    if (r.matchedCount === 0) await this.head.insertOne({ _id: HINT_ID, checkpoint: cp }).catch(() => undefined);
  }

  async successorOf(previousSeq: number): Promise<Checkpoint | null> {
    const d = await this.ledger.findOne({ _id: `after:${padSeq(previousSeq)}` });
    return d ? strip(d) : null;
  }

  async claim(cp: Checkpoint): Promise<boolean> {
    try {
      await this.ledger.insertOne({ _id: `after:${padSeq(cp.previousSeq)}`, ...cp });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }
}
