import type { EventHandler } from '@medvault/common/bus';
import type { Envelope } from '@medvault/common/events';
import { type BusTap, openBusTap, recordSdkCalls, type SdkCall, serviceEnv, unique } from '@medvault/common/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';
import { buildHandlers } from '../src/messaging/handlers.js';
import { EICAR, png, zip } from './fixtures.js';
import { type Clients, clientsAs, type SeededFile, seedFile, uploadedEvent } from './support.js';

// Issue 18: the scanner reads an upload ONCE: one GET (ranged parts only past 32 MiB), one KMS
// unwrap, one decryption, streamed to clamd; a ZIP is spooled from that same read for its
// random-access checks, never fetched again. Counted on the scanner's own SDK clients.

let deps: Deps;
let files: Clients;
let tap: BusTap;
let upload: (e: Envelope<'file.uploaded'>) => Promise<void>;
const calls: SdkCall[] = [];

beforeAll(async () => {
  const db = unique('scanner_test').replace(/-/g, '_');
  deps = buildDeps(loadServiceConfig(serviceEnv('scanner', { LOG_LEVEL: 'silent', MONGO_DB: db })));
  recordSdkCalls(calls, deps);
  const h = buildHandlers(deps)['file.uploaded'] as EventHandler<'file.uploaded'>;
  upload = (e) => h(e, { logger: deps.logger, receiveCount: 1 });
  files = clientsAs('files');
  tap = await openBusTap(['file.scanned']);
});

beforeEach(() => {
  calls.length = 0;
});

afterAll(async () => {
  await tap?.close();
  files?.close();
  await deps?.db.dropDatabase().catch(() => undefined);
  await deps?.close();
});

async function readsFor(f: SeededFile) {
  await upload(uploadedEvent(f));
  const verdict = (await tap.waitFor('file.scanned', (e) => e.data.fileId === f.fileId)).data.verdict;
  return {
    verdict,
    gets: calls.filter((c) => c.command === 'GetObjectCommand' && c.input.Key === f.key).length,
    unwraps: calls.filter(
      (c) =>
        c.command === 'DecryptCommand' &&
        (c.input.EncryptionContext as Record<string, string> | undefined)?.fileId === f.fileId,
    ).length,
  };
}

describe('one read of an upload', () => {
  it('scans an image from one GET and one KMS unwrap', async () => {
    expect(await readsFor(await seedFile(files, png(), { contentType: 'image/png' }))).toEqual({
      verdict: 'clean',
      gets: 1,
      unwraps: 1,
    });
  });

  it('scans a ZIP, members included, from one GET and one KMS unwrap', async () => {
    const archive = zip([
      { name: 'notes.txt', data: Buffer.from('hello') },
      { name: 'eicar.com', data: EICAR, deflate: true },
    ]);
    expect(await readsFor(await seedFile(files, archive, { contentType: 'application/zip' }))).toEqual({
      verdict: 'infected',
      gets: 1,
      unwraps: 1,
    });
  });
});
