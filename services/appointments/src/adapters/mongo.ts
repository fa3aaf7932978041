import type { Role } from '@medvault/common/auth';
import type { Collection, Db, Filter } from 'mongodb';
import type {
  Appointment,
  AppointmentStore,
  AssignmentStore,
  CareAssignment,
  CareEndStore,
  ListQuery,
  PendingCareEnd,
  ScheduleState,
  ScheduleStore,
  UserDirectory,
} from '../domain/ports.js';
import type { BookedInterval, ScheduleSettings } from '../domain/schedule.js';

type AppointmentDoc = Omit<Appointment, 'id'> & { _id: string };
interface RevisionDoc {
  _id: string;
  clinicianId: string;
  version: number;
  booked: BookedInterval[];
  at: Date;
}
interface SettingsDoc {
  _id: string;
  settings: Partial<ScheduleSettings>;
  updatedAt: Date;
}
export interface UserDoc {
  _id: string;
  role?: Role;
  active?: boolean;
  updatedAt: Date;
}
type AssignmentDoc = CareAssignment & { _id: string };
interface CareEndDoc {
  _id: string;
  clinicianId: string;
  patientId: string;
  dueAt: Date;
}

const pairKey = (p: PendingCareEnd) => `${p.clinicianId}:${p.patientId}`;
const toAppointment = ({ _id, ...rest }: AppointmentDoc): Appointment => ({ id: _id, ...rest });

export function collections(db: Db) {
  return {
    appointments: db.collection<AppointmentDoc>('appointments'),
    revisions: db.collection<RevisionDoc>('schedule_revisions'),
    settings: db.collection<SettingsDoc>('schedule_settings'),
    users: db.collection<UserDoc>('users'),
    careEnds: db.collection<CareEndDoc>('care_ends'),
    assignments: db.collection<AssignmentDoc>('care_assignments'),
  };
}
export type Collections = ReturnType<typeof collections>;

export async function ensureIndexes(c: Collections): Promise<void> {
  await c.appointments.createIndex({ clinicianId: 1, start: 1 });
  await c.appointments.createIndex({ patientId: 1, start: 1 });
  await c.appointments.createIndex({ start: 1, _id: 1 });
  await c.careEnds.createIndex({ dueAt: 1 });
  await c.revisions.createIndex({ clinicianId: 1, version: -1 });
  await c.assignments.createIndex({ clinicianId: 1 });
}

/**
 * Compare-and-set without transactions, on FerretDB too. FerretDB v1 evaluates an update's filter
 * and applies the update in separate steps, so `updateOne({version: v})` is NOT an atomic CAS
 * (proven by the concurrency test). An insert on a unique _id is: every change of a clinician's
 * booked intervals inserts revision `<clinicianId>#<v+1>`; of all writers that read revision v,
 * exactly one insert succeeds, the others get E11000 and retry on the new state.
 * Old revisions are kept as empty tombstones (never deleted), so a stale writer still collides.
 */
export class MongoScheduleStore implements ScheduleStore {
  constructor(
    private readonly revisions: Collection<RevisionDoc>,
    private readonly settings: Collection<SettingsDoc>,
  ) {}

  async load(clinicianId: string): Promise<ScheduleState> {
    const [latest, s] = await Promise.all([
      this.revisions.find({ clinicianId }).sort({ version: -1 }).limit(1).next(),
      this.settings.findOne({ _id: clinicianId }),
    ]);
    return {
      version: latest?.version ?? 0,
      booked: latest?.booked ?? [],
      ...(s?.settings ? { settings: s.settings } : {}),
    };
  }

  async compareAndSet(clinicianId: string, expectedVersion: number, booked: BookedInterval[]): Promise<boolean> {
    const version = expectedVersion + 1;
    try {
      await this.revisions.insertOne({
        _id: `${clinicianId}#${version}`,
        clinicianId,
        version,
        booked,
        at: new Date(),
      });
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
    // Compact the revision before last: its content is no longer needed, its _id is.
    if (expectedVersion > 1) {
      await this.revisions
        .updateOne({ _id: `${clinicianId}#${expectedVersion - 1}` }, { $set: { booked: [] } })
        .catch(() => undefined);
    }
    return true;
  }

  async saveSettings(clinicianId: string, settings: Partial<ScheduleSettings>): Promise<void> {
    // Settings are not part of the overlap invariant: a plain upsert.
    await this.settings.updateOne(
      { _id: clinicianId },
      { $set: { settings, updatedAt: new Date() } },
      { upsert: true },
    );
  }
}

export class MongoAppointmentStore implements AppointmentStore {
  constructor(private readonly c: Collection<AppointmentDoc>) {}

  async insert(a: Appointment) {
    const { id, ...rest } = a;
    await this.c.insertOne({ _id: id, ...rest });
  }

  async remove(id: string) {
    await this.c.deleteOne({ _id: id });
  }

  async get(id: string) {
    const doc = await this.c.findOne({ _id: id });
    return doc ? toAppointment(doc) : undefined;
  }

  async cancel(id: string, at: Date) {
    const doc = await this.c.findOneAndUpdate(
      { _id: id, status: 'booked' },
      { $set: { status: 'cancelled', cancelledAt: at, updatedAt: at } },
      { returnDocument: 'after' },
    );
    return doc ? toAppointment(doc) : undefined;
  }

  async confirm(id: string, at: Date) {
    const doc = await this.c.findOneAndUpdate(
      { _id: id, status: 'booked', confirmedAt: { $exists: false } },
      { $set: { confirmedAt: at, updatedAt: at } },
      { returnDocument: 'after' },
    );
    return doc ? toAppointment(doc) : undefined;
  }

  async reschedule(id: string, start: Date, end: Date, at: Date, keepConfirmation: boolean) {
    const doc = await this.c.findOneAndUpdate(
      { _id: id, status: 'booked' },
      keepConfirmation
        ? { $set: { start, end, updatedAt: at } }
        : { $set: { start, end, updatedAt: at }, $unset: { confirmedAt: '' } },
      { returnDocument: 'after' },
    );
    return doc ? toAppointment(doc) : undefined;
  }

  async confirmedEnds(clinicianId: string, patientId: string, after: Date) {
    const docs = await this.c
      .find(
        { clinicianId, patientId, status: 'booked', confirmedAt: { $exists: true }, end: { $gt: after } },
        { projection: { end: 1 } },
      )
      .toArray();
    return docs.map((d) => d.end);
  }

  async *pairs() {
    const seen = new Set<string>();
    for await (const d of this.c.find({}, { projection: { clinicianId: 1, patientId: 1 } })) {
      const key = pairKey(d);
      if (seen.has(key)) continue;
      seen.add(key);
      yield { clinicianId: d.clinicianId, patientId: d.patientId };
    }
  }

  async list(q: ListQuery) {
    const and: Filter<AppointmentDoc>[] = [];
    if (q.clinicianId) and.push({ clinicianId: q.clinicianId });
    if (q.patientId) and.push({ patientId: q.patientId });
    if (q.status) and.push({ status: q.status });
    if (q.from) and.push({ end: { $gt: q.from } });
    if (q.to) and.push({ start: { $lt: q.to } });
    if (q.after) {
      and.push({ $or: [{ start: { $gt: q.after.start } }, { start: q.after.start, _id: { $gt: q.after.id } }] });
    }
    const docs = await this.c
      .find(and.length > 0 ? { $and: and } : {})
      .sort({ start: 1, _id: 1 })
      .limit(q.limit)
      .toArray();
    return docs.map(toAppointment);
  }
}

export class MongoUserDirectory implements UserDirectory {
  constructor(private readonly c: Collection<UserDoc>) {}

  async get(userId: string) {
    const doc = await this.c.findOne({ _id: userId });
    if (!doc?.role) return undefined;
    return { role: doc.role, active: doc.active !== false };
  }

  /** Projection upsert from user.created / user.updated: only the fields the event carries. */
  async upsert(userId: string, fields: { role?: Role; active?: boolean }) {
    const set: Partial<UserDoc> = { updatedAt: new Date() };
    if (fields.role) set.role = fields.role;
    if (fields.active !== undefined) set.active = fields.active;
    try {
      await this.c.updateOne({ _id: userId }, { $set: set }, { upsert: true });
    } catch (err) {
      // Two events of one user handled at once (same batch) both tried to insert: the document
      // exists now, so the update applies. FerretDB upserts are not atomic.
      if ((err as { code?: number }).code !== 11000) throw err;
      await this.c.updateOne({ _id: userId }, { $set: set });
    }
  }
}

export class MongoCareEndStore implements CareEndStore {
  constructor(private readonly c: Collection<CareEndDoc>) {}

  async schedule(p: PendingCareEnd, dueAt: Date) {
    await this.c.updateOne({ _id: pairKey(p) }, { $set: { ...p, dueAt } }, { upsert: true });
  }

  async cancel(p: PendingCareEnd) {
    await this.c.deleteOne({ _id: pairKey(p) });
  }

  async claimDue(now: Date, leaseMs: number, limit: number) {
    const due = await this.c
      .find({ dueAt: { $lte: now } })
      .limit(limit)
      .toArray();
    const claimed: PendingCareEnd[] = [];
    for (const d of due) {
      const r = await this.c.updateOne(
        { _id: d._id, dueAt: d.dueAt },
        { $set: { dueAt: new Date(now.getTime() + leaseMs) } },
      );
      if (r.modifiedCount === 1) claimed.push({ clinicianId: d.clinicianId, patientId: d.patientId });
    }
    return claimed;
  }
}

/** One admin assignment per pair, keyed by the pair: re-assigning is idempotent. */
export class MongoAssignmentStore implements AssignmentStore {
  constructor(private readonly c: Collection<AssignmentDoc>) {}

  async put(a: CareAssignment): Promise<CareAssignment> {
    const _id = pairKey(a);
    try {
      await this.c.insertOne({ _id, ...a });
      return a;
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      const { _id: _, ...existing } = (await this.c.findOne({ _id }))!;
      return existing;
    }
  }

  async remove(p: PendingCareEnd) {
    return (await this.c.deleteOne({ _id: pairKey(p) })).deletedCount === 1;
  }

  async isAssigned(p: PendingCareEnd) {
    return (await this.c.countDocuments({ _id: pairKey(p) }, { limit: 1 })) > 0;
  }

  async *pairs() {
    for await (const d of this.c.find({}, { projection: { clinicianId: 1, patientId: 1 } }))
      yield { clinicianId: d.clinicianId, patientId: d.patientId };
  }

  async listFor(clinicianId: string) {
    const docs = await this.c.find({ clinicianId }).sort({ assignedAt: 1 }).toArray();
    return docs.map(({ _id, ...a }) => a);
  }
}
