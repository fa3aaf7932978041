import type { Role } from '@medvault/common/auth';
import type { Collection, Db } from 'mongodb';
import type { Directory } from '../domain/ports.js';
import type { UserFacts } from '../domain/types.js';

interface CareDoc {
  _id: string;
  clinicianId: string;
  patientId: string;
  active: boolean;
  updatedAt: Date;
}
interface UserDoc {
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
 * Projections of the gateway's users and appointments' care relationships (the same facts the
 * files service decides care from), kept from user.* and care.* events. Writes are keyed by
 * natural ids and ignore older facts, so redelivered or reordered events are harmless.
 */
export class MongoDirectory implements Directory {
  readonly care: Collection<CareDoc>;
  readonly usersCol: Collection<UserDoc>;
  constructor(db: Db) {
    this.care = db.collection<CareDoc>('care_relationships');
    this.usersCol = db.collection<UserDoc>('users');
  }

  async setCare(clinicianId: string, patientId: string, active: boolean, at: Date): Promise<void> {
    const _id = `${clinicianId}:${patientId}`;
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

  async users(ids: string[]): Promise<Map<string, UserFacts>> {
    const docs = await this.usersCol.find({ _id: { $in: ids } }).toArray();
    const out = new Map<string, UserFacts>();
    for (const d of docs) if (d.role) out.set(d._id, { role: d.role, active: d.active });
    return out;
  }

  async carers(patientId: string, clinicianIds: string[]): Promise<Set<string>> {
    if (clinicianIds.length === 0) return new Set();
    const docs = await this.care.find({ patientId, clinicianId: { $in: clinicianIds }, active: true }).toArray();
    return new Set(docs.map((d) => d.clinicianId));
  }
}
