import type { Collection, Db } from 'mongodb';

/** A break-glass grant: one user may read one patient's files until expiresAt, for a stated reason. */
export interface GrantRecord {
  _id: string;
  userId: string;
  patientId: string;
  reason: string;
  createdAt: Date;
  expiresAt: Date;
  /**
   * 'pending' until access.emergency_granted is on the bus: a grant is never usable before its
   * audit trail exists (if publishing fails, it stays pending and unusable for ever).
   */
  state: 'pending' | 'active';
}

/** Emergency grants. Few documents (each one is an incident), so lookups scan without an index. */
export class GrantsRepo {
  readonly col: Collection<GrantRecord>;
  constructor(db: Db) {
    this.col = db.collection<GrantRecord>('emergency_grants');
  }

  async insert(g: GrantRecord): Promise<void> {
    await this.col.insertOne(g);
  }

  async activate(id: string): Promise<void> {
    await this.col.updateOne({ _id: id }, { $set: { state: 'active' } });
  }

  /** Whether `userId` holds an active, unexpired grant to `patientId` at `now`. */
  async allows(userId: string, patientId: string, now: Date): Promise<boolean> {
    const hit = await this.col.findOne({ userId, patientId, state: 'active', expiresAt: { $gt: now } });
    return hit !== null;
  }

  /** The caller's grants still running at `now`, newest first. */
  async activeFor(userId: string, now: Date): Promise<GrantRecord[]> {
    const all = await this.col.find({ userId, state: 'active', expiresAt: { $gt: now } }).toArray();
    return all.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }
}
