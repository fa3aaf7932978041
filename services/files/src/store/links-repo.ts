import type { KeyedLock } from '@medvault/common/clients';
import type { Collection, Db } from 'mongodb';
import { withinBudget } from '../domain/links.js';

export interface LinkRecord {
  _id: string;
  fileId: string;
  userId: string;
  expiresAt: Date;
  maxDownloads: number | null;
  /** Requests served (any range). */
  downloads: number;
  /** Plaintext bytes served, all requests together: what `maxDownloads` bounds (absent on old links: 0). */
  bytesServed?: number;
  createdAt: Date;
}

/**
 * Link state. The stored link is the authority on owner, file, expiry and counters; the token
 * only names it (its MAC stops forgery of ids, never extends what the record allows).
 */
export class LinksRepo {
  readonly col: Collection<LinkRecord>;
  constructor(
    db: Db,
    private readonly lock: KeyedLock,
  ) {
    this.col = db.collection<LinkRecord>('links');
  }

  async insert(l: LinkRecord): Promise<void> {
    await this.col.insertOne(l);
  }

  get(id: string): Promise<LinkRecord | null> {
    return this.col.findOne({ _id: id });
  }

  /**
   * Takes `cost` bytes of a representation of `size` bytes from the link's budget, before they
   * are served; false (nothing taken) when they do not fit.
   */
  async consume(l: LinkRecord, size: number, cost: number): Promise<boolean> {
    // Under the lock: concurrent requests must not both take the last download (see KeyedLock).
    return this.lock.with(l._id, async () => {
      const cur = await this.col.findOne({ _id: l._id });
      if (!cur || !withinBudget(cur, size, cost)) return false;
      await this.col.updateOne(
        { _id: l._id },
        { $set: { downloads: cur.downloads + 1, bytesServed: (cur.bytesServed ?? 0) + Math.max(cost, 1) } },
      );
      return true;
    });
  }
}
