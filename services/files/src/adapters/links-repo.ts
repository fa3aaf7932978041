import type { WriteGuard } from '@medvault/common/mongo';
import { compareAndSet, LOST_RACE } from '@medvault/common/retry';
import type { Collection, Db } from 'mongodb';
import { withinBudget } from '../domain/links.js';
import type { LinkRecord, LinkRepository } from '../domain/ports.js';

/**
 * Link state. The stored link is the authority on owner, file, expiry and counters; the token
 * only names it (its MAC stops forgery of ids, never extends what the record allows).
 */
export class LinksRepo implements LinkRepository {
  readonly col: Collection<LinkRecord>;
  constructor(
    db: Db,
    /** Nothing on MongoDB (the conditional update is atomic), the Redis lock on FerretDB. */
    private readonly guard: WriteGuard,
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
    // A compare-and-set on the counters as read: of concurrent requests for the last download,
    // one update matches and the others retry against the new counters (and find no budget).
    return compareAndSet<boolean>(
      () =>
        this.guard.with(l._id, async () => {
          const cur = await this.col.findOne({ _id: l._id });
          if (!cur || !withinBudget(cur, size, cost)) return false;
          const served = cur.bytesServed ?? 0;
          const won = await this.col.findOneAndUpdate(
            {
              _id: l._id,
              downloads: cur.downloads,
              ...(cur.bytesServed === undefined ? { bytesServed: { $exists: false } } : { bytesServed: served }),
            },
            { $set: { downloads: cur.downloads + 1, bytesServed: served + Math.max(cost, 1) } },
          );
          return won ? true : LOST_RACE;
        }),
      // Twenty lost races in a row: the link is too busy to serve one more now (nothing taken).
      { attempts: 20, exhausted: () => false },
    );
  }
}
