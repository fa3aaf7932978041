import { afterAll, describe, expect, it } from 'vitest';
import { detectFlavour } from '../src/mongo/index.js';
import { type Platform, platform } from '../src/platform/index.js';
import { unique } from '../src/testing/index.js';

const NO_REDIS = 'redis://127.0.0.1:1';
const opened: Platform[] = [];
afterAll(() => Promise.all(opened.map((p) => p.close())));

function platformWith(env: { REDIS_URL?: string } = {}) {
  const p = platform('semantics-test', {
    LOG_LEVEL: 'silent',
    MONGO_URL: process.env.MONGO_URL!,
    MONGO_DB: unique('sem_test').replace(/-/g, '_'),
    REDIS_URL: env.REDIS_URL ?? process.env.REDIS_URL!,
  });
  opened.push(p);
  return p;
}

describe('the shared database semantics (@medvault/common/mongo) on the local stack', () => {
  it('detects the local server as FerretDB', async () => {
    expect(await detectFlavour(process.env.MONGO_URL!)).toBe('ferretdb');
  });

  it("finds a document by _id through the collection's _id index (the local FerretDB build's patch)", async () => {
    // Unpatched, FerretDB v1.24.0 looks `_id` up by an expression its index is not on, and every
    // find, update and delete by `_id` reads the whole table (infra/install.sh).
    const { db } = platformWith().mongoWith('ferretdb');
    await db.collection<{ _id: string }>('docs').insertMany([{ _id: 'a' }, { _id: 'b' }]);
    const explained = await db.command({ explain: { find: 'docs', filter: { _id: 'b' } } });
    const plan = JSON.stringify(explained.queryPlanner);
    expect(plan).toMatch(/SEARCH \S+ USING INDEX \S+__id_ /);
    expect(plan).not.toMatch(/SCAN/);
  });

  it('on FerretDB serialises concurrent writes to one document with the Redis lock, so none is lost', async () => {
    const p = platformWith();
    const { db, semantics } = p.mongoWith('ferretdb');
    const col = db.collection<{ _id: string; n: number }>('counters');
    await col.insertOne({ _id: 'c', n: 0 });
    const guard = semantics.guard('counter');
    await Promise.all(
      Array.from({ length: 12 }, () =>
        guard.with('c', async () => {
          const d = await col.findOne({ _id: 'c' });
          await col.updateOne({ _id: 'c' }, { $set: { n: (d?.n ?? 0) + 1 } });
        }),
      ),
    );
    expect(guard.name).toBe('ferretdb-redis-lock');
    expect(db.client.options.retryWrites).toBe(false);
    expect((await col.findOne({ _id: 'c' }))?.n).toBe(12);
    await db.dropDatabase();
  });

  it('on MongoDB takes no lock (writes work with Redis unreachable) and turns retryable writes on', async () => {
    const p = platformWith({ REDIS_URL: NO_REDIS });
    const { db, semantics } = p.mongoWith('mongodb');
    const col = db.collection<{ _id: string; n: number }>('counters');
    await col.insertOne({ _id: 'c', n: 0 });
    const guard = semantics.guard('counter');
    await guard.with('c', () => col.updateOne({ _id: 'c' }, { $inc: { n: 1 } }));
    expect(guard.name).toBe('atomic');
    expect(db.client.options.retryWrites).toBe(true);
    expect((await col.findOne({ _id: 'c' }))?.n).toBe(1);
    await db.dropDatabase();
  });
});
