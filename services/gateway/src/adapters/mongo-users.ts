import type { OutboxSource } from '@medvault/common/bus';
import { AppError } from '@medvault/common/errors';
import type { Envelope } from '@medvault/common/events';
import type { WriteGuard } from '@medvault/common/mongo';
import type { Collection, Db, Filter } from 'mongodb';
import type { Person, PersonRole } from '../domain/people.js';
import type { PeopleDirectory, UserQuery, UserRecord, UserRepository } from '../domain/ports.js';
import { guard } from './guard.js';

/** `outbox`: user.* events written with the change they describe, until the relay publishes them. */
type UserDoc = Omit<UserRecord, 'id'> & { _id: string; outbox?: Envelope[] };

const toRecord = ({ _id, outbox: _, ...rest }: UserDoc): UserRecord => ({ id: _id, ...rest });

/**
 * Users in the gateway's own database; the email index is unique (stored lower-cased). Also the
 * transactional outbox of user.* events: each event is stored in the same single-document write
 * as its change, so a crash can delay it but never lose it (the relay publishes it later).
 */
export class MongoUserRepository implements UserRepository, PeopleDirectory, OutboxSource {
  private readonly col: Collection<UserDoc>;

  constructor(
    db: Db,
    /**
     * How writes to one user document are kept from losing each other: nothing on MongoDB (atomic
     * single-document updates), the Redis lock on FerretDB (`@medvault/common/mongo`).
     */
    private readonly writes: WriteGuard,
  ) {
    this.col = db.collection<UserDoc>('users');
  }

  async ensureIndexes(): Promise<void> {
    await this.col.createIndex({ email: 1 }, { unique: true, name: 'email_unique' });
  }

  async insert(user: UserRecord, events: Envelope[] = []): Promise<void> {
    const { id, ...rest } = user;
    await guard('mongo', async () => {
      try {
        await this.col.insertOne({ _id: id, ...rest, outbox: events });
      } catch (err) {
        if ((err as { code?: number }).code === 11000) {
          throw new AppError('CONFLICT', 'A user with this email already exists', { details: { field: 'email' } });
        }
        throw err;
      }
    });
  }

  async findById(id: string) {
    const d = await guard('mongo', () => this.col.findOne({ _id: id }));
    return d ? toRecord(d) : null;
  }

  async findByEmail(email: string) {
    // Only ever a string: inputs are schema-validated, and the filter is built here, not from JSON.
    const d = await guard('mongo', () => this.col.findOne({ email: String(email) }));
    return d ? toRecord(d) : null;
  }

  async list(q: UserQuery) {
    const filter: Filter<UserDoc> = {};
    if (q.role) filter.role = q.role;
    if (q.active !== undefined) filter.active = q.active;
    if (q.after) filter._id = { $gt: q.after };
    const docs = await guard('mongo', () => this.col.find(filter).sort({ _id: 1 }).limit(q.limit).toArray());
    return docs.map(toRecord);
  }

  /** Reads the name and role only: the picker never sees an email, a hash or an outbox. */
  async activePeople(q: { role: PersonRole; ids?: string[]; limit: number }): Promise<Person[]> {
    const filter: Filter<UserDoc> = { role: q.role, active: true };
    if (q.ids) filter._id = { $in: q.ids };
    const docs = await guard('mongo', () =>
      this.col
        .find(filter, { projection: { name: 1, role: 1 } })
        .sort({ name: 1, _id: 1 })
        .limit(q.limit)
        .toArray(),
    );
    return docs.map((d) => ({ id: d._id, name: d.name, role: q.role }));
  }

  async update(
    id: string,
    patch: Partial<Pick<UserRecord, 'role' | 'active' | 'name'>> & { updatedAt: Date },
    events: Envelope[] = [],
  ) {
    const d = await this.writes.with(id, () =>
      guard('mongo', () =>
        this.col.findOneAndUpdate(
          { _id: id },
          { $set: patch, ...(events.length ? { $push: { outbox: { $each: events } } } : {}) },
          { returnDocument: 'after' },
        ),
      ),
    );
    return d ? toRecord(d) : null;
  }

  async withPendingEvents(limit: number): Promise<{ _id: string; outbox: Envelope[] }[]> {
    const docs = await this.col
      .find({ 'outbox.0': { $exists: true } }, { projection: { outbox: 1 } })
      .limit(limit)
      .toArray();
    return docs.map((d) => ({ _id: d._id, outbox: d.outbox ?? [] }));
  }

  async markSent(id: string, events: Envelope[]): Promise<void> {
    await this.writes.with(id, () => this.col.updateOne({ _id: id }, { $pullAll: { outbox: events } }));
  }
}
