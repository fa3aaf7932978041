import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { Lease } from '../domain/ports.js';

interface LeaseDoc {
  _id: string;
  owner: string;
  expiresAt: Date;
}

/**
 * A time-bounded lease in Mongo: taken when free or expired, renewed by its holder. It only
 * avoids duplicate sealing work; correctness does not depend on it (the digest ledger admits one
 * successor per digest, and segment objects are write-once), so a paused ex-holder is harmless.
 */
export class MongoLease implements Lease {
  private readonly leases: Collection<LeaseDoc>;
  private readonly owner = randomUUID();

  constructor(
    db: Db,
    private readonly name: string,
    private readonly ttlMs: number,
  ) {
    this.leases = db.collection<LeaseDoc>('leases');
  }

  async acquire(): Promise<boolean> {
    const now = new Date();
    const until = new Date(now.getTime() + this.ttlMs);
    const r = await this.leases.updateOne(
      { _id: this.name, $or: [{ owner: this.owner }, { expiresAt: { $lt: now } }] },
      { $set: { owner: this.owner, expiresAt: until } },
    );
    if (r.matchedCount > 0) return true;
    try {
      await this.leases.insertOne({ _id: this.name, owner: this.owner, expiresAt: until });
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) return false;
      throw err;
    }
  }

  async release(): Promise<void> {
    await this.leases.deleteOne({ _id: this.name, owner: this.owner }).catch(() => undefined);
  }
}
