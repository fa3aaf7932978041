import type { Collection, Db } from 'mongodb';
import type { FlagStore, MuteStore } from '../domain/ports.js';
import type { Flag, Mute } from '../domain/types.js';

type FlagDoc = Omit<Flag, 'id'> & { _id: string };
type MuteDoc = Omit<Mute, 'userId'> & { _id: string };

const flagOf = ({ _id, ...rest }: FlagDoc): Flag => ({ id: _id, ...rest });

export class MongoFlags implements FlagStore {
  readonly col: Collection<FlagDoc>;
  constructor(db: Db) {
    this.col = db.collection<FlagDoc>('flags');
  }
  async ensureIndexes(): Promise<void> {
    await this.col.createIndex({ status: 1, _id: -1 });
  }
  async insert(f: Flag): Promise<void> {
    const { id, ...rest } = f;
    await this.col.insertOne({ _id: id, ...rest });
  }
  async list(status: Flag['status'], limit: number, before?: string): Promise<Flag[]> {
    const docs = await this.col
      .find({ status, ...(before ? { _id: { $lt: before } } : {}) })
      .sort({ _id: -1 })
      .limit(limit)
      .toArray();
    return docs.map(flagOf);
  }
  async review(id: string, by: string, at: Date): Promise<Flag | null> {
    const r = await this.col.findOneAndUpdate(
      { _id: id, status: 'open' },
      { $set: { status: 'dismissed', reviewedBy: by, reviewedAt: at } },
      { returnDocument: 'after' },
    );
    return r ? flagOf(r) : null;
  }
}

export class MongoMutes implements MuteStore {
  readonly col: Collection<MuteDoc>;
  constructor(db: Db) {
    this.col = db.collection<MuteDoc>('mutes');
  }
  async set(m: Mute): Promise<void> {
    await this.col.updateOne({ _id: m.userId }, { $set: { until: m.until, by: m.by, at: m.at } }, { upsert: true });
  }
  async clear(userId: string): Promise<boolean> {
    return (await this.col.deleteOne({ _id: userId })).deletedCount === 1;
  }
  async until(userId: string, now: Date): Promise<Date | null> {
    const d = await this.col.findOne({ _id: userId, until: { $gt: now } });
    return d?.until ?? null;
  }
}
