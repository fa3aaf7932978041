import type { Collection, Db } from 'mongodb';
import type { Directory } from '../domain/ports.js';

interface CareDoc {
  _id: string;
  clinicianId: string;
  patientId: string;
  active: boolean;
  updatedAt: Date;
}
interface UserDoc {
  _id: string;
  role?: string;
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
 * Local projections of other services' facts (care relationships from appointments, users
 * from the gateway): the policy needs them on every request, so they are read locally.
 * Writes are upserts keyed by natural ids, so replayed events are harmless.
 */
export class Projections implements Directory {
  private readonly care: Collection<CareDoc>;
  private readonly users: Collection<UserDoc>;
  constructor(db: Db) {
    this.care = db.collection<CareDoc>('care_relationships');
    this.users = db.collection<UserDoc>('users');
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

  async inCare(clinicianId: string, patientId: string): Promise<boolean> {
    const c = await this.care.findOne({ _id: `${clinicianId}:${patientId}` });
    return c?.active === true;
  }

  async inCareOf(clinicianId: string, patientIds: string[]): Promise<Set<string>> {
    const docs = await this.care
      .find({ _id: { $in: patientIds.map((p) => `${clinicianId}:${p}`) }, active: true })
      .toArray();
    return new Set(docs.map((d) => d.patientId));
  }

  async patientsInCare(clinicianId: string): Promise<string[]> {
    const docs = await this.care.find({ clinicianId, active: true }).toArray();
    return docs.map((d) => d.patientId);
  }

  async upsertUser(userId: string, fields: { role?: string; active?: boolean }, at: Date): Promise<void> {
    const set: Record<string, unknown> = { updatedAt: at };
    if (fields.role !== undefined) set.role = fields.role;
    if (fields.active !== undefined) set.active = fields.active;
    const existing = await this.users.findOne({ _id: userId });
    if (!existing) {
      await upsert(() => this.users.updateOne({ _id: userId }, { $set: { active: true, ...set } }, { upsert: true }));
      return;
    }
    await this.users.updateOne({ _id: userId }, { $set: set });
  }

  getUser(userId: string): Promise<UserDoc | null> {
    return this.users.findOne({ _id: userId });
  }
}
