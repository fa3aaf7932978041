import { createEvent, type Envelope } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import { detectFlavour } from '@medvault/common/mongo';
import { afterAll, describe, expect, it } from 'vitest';
import { contentKey, type FileRecord } from '../src/domain/file.js';
import type { LinkRecord } from '../src/domain/ports.js';
import { closeAll, type Harness, harness } from './helpers.js';

const NO_REDIS = 'redis://127.0.0.1:1';
afterAll(closeAll);

function record(): Omit<FileRecord, 'rev' | 'outbox'> {
  const id = newId('file');
  const owner = newId('user');
  const now = new Date();
  return {
    _id: id,
    ownerId: owner,
    uploadedBy: owner,
    patientId: owner,
    name: 'a.pdf',
    size: 1,
    contentType: 'application/pdf',
    sha256: 'a'.repeat(64),
    status: 'quarantined',
    generation: 1,
    version: 1,
    keyId: 'k',
    wrappedKey: 'w',
    headerLength: 1,
    location: { bucket: 'b', key: `files/${id}` },
    derivatives: [],
    shares: [],
    downloads: 0,
    createdAt: now,
    updatedAt: now,
    liveKey: contentKey(owner, owner, `${id}`),
  };
}

const linkFor = (fileId: string, maxDownloads: number): LinkRecord => ({
  _id: newId('link'),
  fileId,
  userId: newId('user'),
  expiresAt: new Date(Date.now() + 60_000),
  maxDownloads,
  downloads: 0,
  createdAt: new Date(),
});

const rescanEvent = (fileId: string): Envelope =>
  createEvent(
    'file.rescan_requested',
    { fileId, bucket: 'b', key: `files/${fileId}`, generation: 2, reason: 'test' },
    { correlationId: newId('request'), source: 'files' },
  ) as Envelope;

/** Writes through the repositories only (no HTTP: requests would need Redis for token revocation). */
async function writeFileAndLink(h: Harness) {
  const rec = record();
  await h.deps.files.insert(rec, []);
  const first = (await h.deps.files.get(rec._id))!;
  const next = await h.deps.files.update(first, { status: 'clean' }, [rescanEvent(rec._id)]);
  const stale = await h.deps.files.update(first, { status: 'blocked' });
  const link = linkFor(rec._id, 1);
  await h.deps.links.insert(link);
  const takes = [await h.deps.links.consume(link, 10, 10), await h.deps.links.consume(link, 10, 10)];
  return { next, stale, takes, stored: await h.deps.links.get(link._id) };
}

describe('database semantics chosen at start-up from the server', () => {
  it('detects the local FerretDB and takes its named workaround: Redis write lock, no retryable writes', async () => {
    expect(await detectFlavour(process.env.MONGO_URL!)).toBe('ferretdb');
    const h = await harness();
    expect(h.deps.mongo.flavour).toBe('ferretdb');
    expect(h.deps.mongo.guard('file').name).toBe('ferretdb-redis-lock');
    expect(h.deps.db.client.options.retryWrites).toBe(false);
  });

  it('on FerretDB a file write goes through the Redis lock, so it fails while Redis is unreachable', async () => {
    const h = await harness({ MONGO_FLAVOUR: 'ferretdb', REDIS_URL: NO_REDIS });
    const rec = record();
    await h.deps.files.insert(rec, []);
    const f = (await h.deps.files.get(rec._id))!;
    await expect(h.deps.files.update(f, { status: 'clean' })).rejects.toThrow();
  });

  it('on MongoDB file and link writes take no lock: they work with Redis unreachable, with retryable writes on', async () => {
    const h = await harness({ MONGO_FLAVOUR: 'mongodb', REDIS_URL: NO_REDIS });
    expect(h.deps.mongo.guard('file').name).toBe('atomic');
    expect(h.deps.db.client.options.retryWrites).toBe(true);
    const { next, stale, takes, stored } = await writeFileAndLink(h);
    // Compare-and-set on rev: the write from the current revision wins, the stale one is refused.
    expect(next?.rev).toBe(2);
    expect(next?.status).toBe('clean');
    expect(stale).toBeNull();
    // The link's counters are a compare-and-set too: a 1-download link serves once.
    expect(takes).toEqual([true, false]);
    expect(stored).toMatchObject({ downloads: 1, bytesServed: 10 });
  });

  it('gives the same results on the FerretDB path (same repositories, lock around them)', async () => {
    const h = await harness({ MONGO_FLAVOUR: 'ferretdb' });
    const { next, stale, takes, stored } = await writeFileAndLink(h);
    expect(next?.rev).toBe(2);
    expect(stale).toBeNull();
    expect(takes).toEqual([true, false]);
    expect(stored).toMatchObject({ downloads: 1, bytesServed: 10 });
  });
});
