import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type BusTap, openBusTap, repoRoot, serviceEnv, sleep, unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';
import { pdf } from './fixtures.js';
import { type Clients, clientsAs, publishUpload, seedFile, startConsumer } from './support.js';

const run = promisify(execFile);
const stack = (...args: string[]) => run('bash', ['infra/stack.sh', ...args], { cwd: repoRoot, timeout: 90_000 });

let deps: Deps;
let files: Clients;
let tap: BusTap;

beforeAll(async () => {
  deps = buildDeps(
    loadServiceConfig(
      serviceEnv('scanner', {
        LOG_LEVEL: 'silent',
        MONGO_DB: unique('scanner_outage').replace(/-/g, '_'),
        CLAMD_TIMEOUT_MS: '5000',
      }),
    ),
  );
  files = clientsAs('files');
  tap = await openBusTap(['file.scanned']);
});

afterAll(async () => {
  await tap?.close();
  files?.close();
  await deps?.db.dropDatabase().catch(() => undefined);
  await deps?.close();
});

describe('clamd outage', () => {
  it('keeps a file unscanned while clamd is stopped, scans it clean once clamd is back, with one verdict', async () => {
    const consumer = startConsumer(deps);
    let stopped = false;
    try {
      await stack('stop', 'clamd');
      stopped = true;
      const f = await seedFile(files, pdf('lab results'), { contentType: 'application/pdf' });
      await publishUpload(files, f);
      // Long enough for the first attempt (and a backoff retry) to fail against the stopped clamd.
      await sleep(5000);
      expect(
        (await tap.events()).some(
          (e) => e.type === 'file.scanned' && (e.data as { fileId: string }).fileId === f.fileId,
        ),
      ).toBe(false);
      expect(await deps.verdicts.countFor(f.fileId)).toBe(0);
      await stack('start', 'clamd');
      stopped = false;
      const v = await tap.waitFor('file.scanned', (e) => e.data.fileId === f.fileId, 60_000);
      expect(v.data.verdict).toBe('clean');
      await sleep(1000);
      const all = (await tap.events()).filter(
        (e) => e.type === 'file.scanned' && (e.data as { fileId: string }).fileId === f.fileId,
      );
      expect(all).toHaveLength(1);
      expect(await deps.verdicts.countFor(f.fileId)).toBe(1);
    } finally {
      if (stopped) await stack('start', 'clamd'); // never leave the shared stack without clamd
      await consumer.stop();
    }
  }, 120_000);
});
