import type { Collection, Db } from 'mongodb';
import type { GrantRecord, GrantRepository } from '../domain/ports.js';

/** Emergency grants. Few documents (each one is an incident), so lookups scan without an index. */
export class GrantsRepo implements GrantRepository {
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

  async grantedPatients(userId: string, patientIds: string[], now: Date): Promise<Set<string>> {
    const hits = await this.col
      .find({ userId, patientId: { $in: patientIds }, state: 'active', expiresAt: { $gt: now } })
      .project<{ patientId: string }>({ patientId: 1 })
      .toArray();
    return new Set(hits.map((g) => g.patientId));
  }

  /** The caller's grants still running at `now`, newest first. */
  async activeFor(userId: string, now: Date): Promise<GrantRecord[]> {
    const all = await this.col.find({ userId, state: 'active', expiresAt: { $gt: now } }).toArray();
    return all.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }
}
