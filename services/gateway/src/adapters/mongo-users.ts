import { AppError } from '@medvault/common/errors';
import type { Collection, Db, Filter } from 'mongodb';
import type { UserQuery, UserRecord, UserRepository } from '../domain/ports.js';
import { guard } from './guard.js';

type UserDoc = Omit<UserRecord, 'id'> & { _id: string };

const toRecord = ({ _id, ...rest }: UserDoc): UserRecord => ({ id: _id, ...rest });

/** Users in the gateway's own database; the email index is unique (stored lower-cased). */
export class MongoUserRepository implements UserRepository {
  private readonly col: Collection<UserDoc>;

  constructor(db: Db) {
    this.col = db.collection<UserDoc>('users');
  }

  async ensureIndexes(): Promise<void> {
    await this.col.createIndex({ email: 1 }, { unique: true, name: 'email_unique' });
  }

  async insert(user: UserRecord): Promise<void> {
    const { id, ...rest } = user;
    await guard('mongo', async () => {
      try {
        await this.col.insertOne({ _id: id, ...rest });
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

  async update(id: string, patch: Partial<Pick<UserRecord, 'role' | 'active' | 'name'>> & { updatedAt: Date }) {
    const d = await guard('mongo', () =>
      this.col.findOneAndUpdate({ _id: id }, { $set: patch }, { returnDocument: 'after' }),
    );
    return d ? toRecord(d) : null;
  }
}
