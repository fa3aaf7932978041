import type { Collection, Db } from 'mongodb';
import type { Role } from '../auth/index.js';
import type { EventHandler } from '../bus/consumer.js';

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

/** Only the appointments service derives care (patient confirmations, admin assignments). */
export const CARE_AUTHORITY = 'appointments';

/**
 * The care.* handlers of a projection that grants something on care (files: access; the gateway:
 * names in the people picker): only the care authority may announce it; an event from any
 * other source is logged and ignored.
 */
export function careHandlers(p: Pick<MongoCareProjections, 'setCare'>): {
  'care.relationship_started': EventHandler<'care.relationship_started'>;
  'care.relationship_ended': EventHandler<'care.relationship_ended'>;
} {
  const apply =
    (active: boolean): EventHandler<'care.relationship_started' | 'care.relationship_ended'> =>
    async (e, { logger }) => {
      if (e.source !== CARE_AUTHORITY) {
        logger.warn({ source: e.source }, 'care event from a service that is not the care authority ignored');
        return;
      }
      await p.setCare(e.data.clinicianId, e.data.patientId, active, new Date(e.occurredAt));
    };
  return { 'care.relationship_started': apply(true), 'care.relationship_ended': apply(false) };
}
