import { createHash } from 'node:crypto';
import type { Principal } from '@medvault/common/auth';
import { newId } from '@medvault/common/ids';
import { type CommandStartedEvent, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilesRepo } from '../src/adapters/files-repo.js';
import { purgeDue } from '../src/app/purge.js';
import { recordUpload } from '../src/app/record-upload.js';
import { systemMeta } from '../src/domain/events.js';
import { retiredKey } from '../src/domain/file.js';
import { closeAll, type Harness, harness } from './helpers.js';

/**
 * The FerretDB adapter's look-ups (keyed-lookups.ts): the upload's duplicate and version
 * questions and the purge's search read documents by `_id`, because FerretDB v1 answers any other
 * filter by reading every file. The repository here runs on a client that records every command,
 * over the harness's scratch database on the local FerretDB.
 */
let h: Harness;
let client: MongoClient;
let repo: FilesRepo;
const commands: CommandStartedEvent[] = [];

beforeAll(async () => {
  h = await harness();
  client = new MongoClient(process.env.MONGO_URL!, { retryWrites: false, monitorCommands: true });
  client.on('commandStarted', (c) => commands.push(c));
  repo = new FilesRepo(client.db(h.deps.db.databaseName), h.deps.mongo.guard('file'));
  await repo.ensureIndexes();
});
afterAll(async () => {
  await client.close();
  await closeAll();
});

const ports = () => ({ files: repo, objects: h.deps.objects, clock: h.deps.clock });
const patient = (): Principal => ({ userId: newId('user'), role: 'patient' }) as Principal;

function upload(p: Principal, name: string, content: string) {
  const fileId = newId('file');
  const stored = {
    location: { bucket: h.deps.config.BUCKET_QUARANTINE, key: `files/${fileId}` },
    inspection: {
      contentType: 'text/plain',
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    },
    keyId: 'k',
    wrappedKey: 'w',
    headerLength: 1,
  };
  return recordUpload(
    ports(),
    p,
    { fileId, name, ownerId: p.userId, description: undefined, stored },
    systemMeta(newId('request')),
  );
}

/** Filters of the reads and writes this test's client sent to the `files` collection. */
function filesFilters(): Record<string, unknown>[] {
  return commands.flatMap((c) => {
    const cmd = c.command as Record<string, unknown>;
    const on = cmd.find ?? cmd.findAndModify ?? cmd.update ?? cmd.delete ?? cmd.count ?? cmd.aggregate;
    if (on !== 'files') return [];
    if (cmd.find || cmd.count || cmd.findAndModify) return [(cmd.filter ?? cmd.query ?? {}) as Record<string, unknown>];
    const statements = (cmd.updates ?? cmd.deletes ?? []) as { q: Record<string, unknown> }[];
    return statements.map((s) => s.q);
  });
}

describe('upload and purge look-ups on FerretDB', () => {
  it('records uploads, answers a duplicate and numbers versions while reading files by _id only', async () => {
    const p = patient();
    commands.length = 0;
    const first = await upload(p, 'report.txt', 'first');
    const again = await upload(p, 'report.txt', 'first');
    const second = await upload(p, 'report.txt', 'second');
    expect(again).toMatchObject({ duplicate: true, file: { _id: first.file._id } });
    expect([first.file.version, second.file.version]).toEqual([1, 2]);
    const filters = filesFilters();
    expect(filters.length).toBeGreaterThan(0);
    for (const f of filters) expect(Object.keys(f)).toEqual(['_id']);
  });

  it('still answers the duplicate and the next version when every hint was lost', async () => {
    const p = patient();
    const first = await upload(p, 'scan.txt', 'bytes');
    await client.db(h.deps.db.databaseName).collection('file_lookups').deleteMany({});
    const again = await upload(p, 'scan.txt', 'bytes');
    expect(again).toMatchObject({ duplicate: true, file: { _id: first.file._id } });
    const next = await upload(p, 'scan.txt', 'other bytes');
    expect(next.duplicate).toBe(false);
    expect(next.file.version).toBe(2);
  });

  it('purges a deleted file past retention, and a deleted file recorded before trash entries existed too', async () => {
    const p = patient();
    const kept = await upload(p, 'kept.txt', 'kept');
    const gone = await upload(p, 'gone.txt', 'gone');
    const old = await upload(p, 'old.txt', 'old');
    // What soft-delete writes (its object move is not what this test is about), due a second ago.
    const yesterday = new Date(Date.now() - 86_400_000);
    for (const id of [gone.file._id, old.file._id]) {
      const f = (await repo.get(id))!;
      const set = {
        status: 'deleted',
        deletedAt: yesterday,
        purgeAfter: new Date(Date.now() - 1000),
        liveKey: retiredKey(id),
      } as const;
      expect(await repo.update(f, set)).not.toBeNull();
    }
    // As if `old` had been deleted by a version without trash entries: start-up adds its entry.
    const trash = client.db(h.deps.db.databaseName).collection<{ _id: string }>('file_trash');
    await trash.deleteOne({ _id: old.file._id });
    await repo.ensureIndexes();
    await purgeDue(ports());
    const status = async (id: string) => (await repo.get(id))?.status;
    expect([await status(kept.file._id), await status(gone.file._id), await status(old.file._id)]).toEqual([
      'quarantined',
      'purged',
      'purged',
    ]);
    // The next pass drops the purged files' entries.
    await purgeDue(ports());
    expect(await trash.countDocuments({ _id: { $in: [gone.file._id, old.file._id] } })).toBe(0);
  });
});
