import type { Collection, Db } from 'mongodb';
import type { Role } from '../auth/index.js';

export interface CareDoc {
  _id: string;
  clinicianId: string;
  patientId: string;
  active: boolean;
  updatedAt: Date;
}

export interface UserDoc {
  _id: string;
  role?: Role;
  active: boolean;
  updatedAt: Date;
}

/** Two concurrent upserts of one id both insert on FerretDB; the loser retries as an update. */
async function upsert(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if ((e as { code?: number }).code !== 11000) throw e;
    await fn();
  }
}

/**
 * Local projections of other services' facts: users (from the gateway's user.* events) and care
 * relationships (from appointments' care.* events), kept in the service's own database because
 * its access rules read them on every request. Writes are keyed by natural ids and ignore older
 * facts, so redelivered or reordered events are harmless. Files and chat extend it with the
 * reads their ports need.
 */
export class MongoCareProjections {
  protected readonly care: Collection<CareDoc>;
  protected readonly usersCol: Collection<UserDoc>;

  /**
   * `collections` renames them where the service's own data already uses a name: the gateway
   * keeps its real users in `users`, so its care projection must never write there.
   */
  constructor(db: Db, collections: { care?: string; users?: string } = {}) {
    this.care = db.collection<CareDoc>(collections.care ?? 'care_relationships');
    this.usersCol = db.collection<UserDoc>(collections.users ?? 'users');
  }

  async setCare(clinicianId: string, patientId: string, active: boolean, at: Date): Promise<void> {
    const _id = `${clinicianId}:${patientId}`;
    // Ignore an older event arriving after a newer one (started/ended reordered by the bus).
    const existing = await this.care.findOne({ _id });
    if (existing && existing.updatedAt > at) return;
    await upsert(() =>
      this.care.updateOne({ _id }, { $set: { clinicianId, patientId, active, updatedAt: at } }, { upsert: true }),
    );
  }

  async upsertUser(userId: string, fields: { role?: Role; active?: boolean }, at: Date): Promise<void> {
    const set: Partial<UserDoc> = { updatedAt: at };
    if (fields.role !== undefined) set.role = fields.role;
    if (fields.active !== undefined) set.active = fields.active;
    const existing = await this.usersCol.findOne({ _id: userId });
    if (!existing) {
      await upsert(() =>
        this.usersCol.updateOne({ _id: userId }, { $set: { active: true, ...set } }, { upsert: true }),
      );
      return;
    }
    await this.usersCol.updateOne({ _id: userId }, { $set: set });
  }

  getUser(userId: string): Promise<UserDoc | null> {
    return this.usersCol.findOne({ _id: userId });
  }
}
