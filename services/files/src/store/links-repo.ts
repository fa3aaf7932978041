import type { KeyedLock } from '@medvault/common/clients';
import type { Collection, Db } from 'mongodb';

export interface LinkRecord {
  _id: string;
  fileId: string;
  userId: string;
  expiresAt: Date;
  maxDownloads: number | null;
  downloads: number;
  createdAt: Date;
}

/** Link state (download counter): the token carries identity and expiry, Mongo the counter. */
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

  /** Counts one download atomically; false once the link is exhausted. */
  async consume(l: LinkRecord): Promise<boolean> {
    // Under the lock: concurrent requests must not both take the last download (see KeyedLock).
    return this.lock.with(l._id, async () => {
      const cur = await this.col.findOne({ _id: l._id });
      if (!cur || (cur.maxDownloads !== null && cur.downloads >= cur.maxDownloads)) return false;
      await this.col.updateOne({ _id: l._id }, { $set: { downloads: cur.downloads + 1 } });
      return true;
    });
  }
}
