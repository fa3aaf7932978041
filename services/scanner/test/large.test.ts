import type { EventHandler } from '@medvault/common/bus';
import { type BusTap, openBusTap, serviceEnv, unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanBytes } from '../src/adapters/clamav-scanner.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';
import { buildHandlers } from '../src/messaging/handlers.js';
import { studyZip } from './study-zip.js';
import { type Clients, clientsAs, seedStream, uploadedEvent } from './support.js';

// Issue 17: a 250 MB study ZIP was accepted and then stayed scan_failed, because clamd's stream
// limit (200M) was below the upload limit. A study just above the old limit proves it is gone at a
// size CI can afford; the 1 GiB study is the benchmark (bench/study.bench.ts).
const MiB = 1024 * 1024;
const db = unique('scanner_large').replace(/-/g, '_');
let deps: Deps;
let files: Clients;
let tap: BusTap;

beforeAll(async () => {
  files = clientsAs('files');
  tap = await openBusTap(['file.scanned']);
  deps = buildDeps(loadServiceConfig(serviceEnv('scanner', { LOG_LEVEL: 'silent', MONGO_DB: db })));
});

afterAll(async () => {
  await tap?.close();
  files?.close();
  await deps?.db.dropDatabase().catch(() => undefined);
  await deps?.close();
});

const streamedBytes = async () => (await scanBytes.get()).values[0]?.value ?? 0;

describe('scanning studies larger than the old clamd limit', () => {
  it('scans a 210 MiB study ZIP of DICOM instances clean, every member on its own', { timeout: 240_000 }, async () => {
    const study = studyZip(210 * MiB);
    const f = await seedStream(files, study.stream, { contentType: 'application/zip' });
    expect(f.size).toBeGreaterThan(200 * MiB);
    const handler = buildHandlers(deps)['file.uploaded'] as EventHandler<'file.uploaded'>;
    const before = await streamedBytes();
    await handler(uploadedEvent(f), { logger: deps.logger, receiveCount: 1 });
    const v = (await tap.waitFor('file.scanned', (e) => e.data.fileId === f.fileId, 60_000)).data;
    expect(v, v.error).toMatchObject({ verdict: 'clean', signatures: [] });
    // The whole file once, then each member's content again (all but the ZIP headers).
    expect((await streamedBytes()) - before).toBeGreaterThan(1.99 * f.size);
  });
});
