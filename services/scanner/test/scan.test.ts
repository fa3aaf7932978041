import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventHandler } from '@medvault/common/bus';
import { createEvent, type Envelope } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import { type BusTap, openBusTap, repoRoot, serviceEnv, unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';
import { buildHandlers } from '../src/messaging/handlers.js';
import { EICAR, pdf, png, zip } from './fixtures.js';
import { type Clients, clientsAs, type SeededFile, seedFile, uploadedEvent } from './support.js';

const db = unique('scanner_test').replace(/-/g, '_');
const opened: Deps[] = [];
let files: Clients;
let tap: BusTap;

function scannerWith(overrides: Record<string, string> = {}) {
  const deps = buildDeps(loadServiceConfig(serviceEnv('scanner', { LOG_LEVEL: 'silent', MONGO_DB: db, ...overrides })));
  opened.push(deps);
  const h = buildHandlers(deps);
  const upload = h['file.uploaded'] as EventHandler<'file.uploaded'>;
  const rescan = h['file.rescan_requested'] as EventHandler<'file.rescan_requested'>;
  return {
    deps,
    upload: (e: Envelope<'file.uploaded'>, receiveCount = 1) => upload(e, { logger: deps.logger, receiveCount }),
    rescan: (e: Envelope<'file.rescan_requested'>, receiveCount = 1) =>
      rescan(e, { logger: deps.logger, receiveCount }),
  };
}

let scanner: ReturnType<typeof scannerWith>;

beforeAll(async () => {
  files = clientsAs('files');
  tap = await openBusTap(['file.scanned']);
  scanner = scannerWith();
});

afterAll(async () => {
  await tap?.close();
  files?.close();
  await opened[0]?.db.dropDatabase().catch(() => undefined);
  await Promise.all(opened.map((d) => d.close()));
});

const verdictFor = (f: { fileId: string }) => tap.waitFor('file.scanned', (e) => e.data.fileId === f.fileId);

async function scanned(data: Buffer, contentType = 'application/octet-stream') {
  const f = await seedFile(files, data, { contentType });
  await scanner.upload(uploadedEvent(f));
  return (await verdictFor(f)).data;
}

describe('scanning uploads through clamd', () => {
  it('flags the plain EICAR test file as infected with its signature name', async () => {
    const v = await scanned(EICAR);
    expect(v).toMatchObject({ verdict: 'infected', signatures: ['Eicar-Test-Signature.UNOFFICIAL'], generation: 1 });
    expect(v.engine).toMatch(/^ClamAV \d+\.\d+/);
    expect(v.databaseVersion).toMatch(/^\d+$/);
  });

  it('finds EICAR inside a compressed ZIP archive', async () => {
    const v = await scanned(zip([{ name: 'report.com', data: EICAR, deflate: true }]), 'application/zip');
    expect(v.verdict).toBe('infected');
  });

  it('finds EICAR inside a ZIP nested in a ZIP', async () => {
    const inner = zip([{ name: 'eicar.com', data: EICAR, deflate: true }]);
    const outer = zip([
      { name: 'notes.txt', data: Buffer.from('hello') },
      { name: 'inner.zip', data: inner, deflate: true },
    ]);
    expect(outer.includes(Buffer.from('EICAR'))).toBe(false); // only unpacking can find it
    expect((await scanned(outer, 'application/zip')).verdict).toBe('infected');
  });

  it('passes a clean PDF and a clean PNG as clean', async () => {
    expect(await scanned(pdf(), 'application/pdf')).toMatchObject({ verdict: 'clean', signatures: [] });
    expect(await scanned(png(), 'image/png')).toMatchObject({ verdict: 'clean', signatures: [] });
  });

  it('scans a multipart object (as files stores uploads) and finds EICAR at its very end', async () => {
    const data = Buffer.concat([Buffer.alloc(6 * 1024 * 1024, 0x41), EICAR]);
    expect((await scanned(data)).verdict).toBe('infected');
  });

  it('scans an empty file clean (the case the clamscan package cannot send)', async () => {
    expect((await scanned(Buffer.alloc(0))).verdict).toBe('clean');
  });

  it('never passes an encrypted archive: final error verdict under the default block policy', async () => {
    const v = await scanned(
      zip([{ name: 'secret.txt', data: Buffer.from('x'.repeat(100)), encrypted: true }]),
      'application/zip',
    );
    // clamd's heuristic and the scanner's own archive check both report it.
    expect(v).toMatchObject({
      verdict: 'error',
      final: true,
      signatures: ['Heuristics.Encrypted.Zip', 'MedVault.Archive.Encrypted'],
    });
    expect(v.error).toMatch(/unscannable/);
  });

  it('lets an encrypted archive through only when UNSCANNABLE_POLICY=allow', async () => {
    const lenient = scannerWith({ UNSCANNABLE_POLICY: 'allow' });
    const f = await seedFile(files, zip([{ name: 's.txt', data: Buffer.from('y'.repeat(50)), encrypted: true }]));
    await lenient.upload(uploadedEvent(f));
    expect((await verdictFor(f)).data.verdict).toBe('clean');
  });
});

describe('DICOM studies', () => {
  it('scans a DICOM file whose preamble is a TIFF header (pydicom CT_small) clean, not as broken media', async () => {
    const ct = readFileSync(join(repoRoot, '.local/data/dicom/CT_small.dcm'));
    expect(ct.subarray(0, 4).toString('latin1')).toBe('II*\0');
    expect(await scanned(ct, 'application/dicom')).toMatchObject({ verdict: 'clean', signatures: [] });
  });

  it('scans a study ZIP of such DICOM files clean (issue 17: it stayed scan_failed)', async () => {
    const ct = readFileSync(join(repoRoot, '.local/data/dicom/CT_small.dcm'));
    const mr = readFileSync(join(repoRoot, '.local/data/dicom/MR_small.dcm'));
    const study = zip([
      { name: 'study/ct.dcm', data: ct, deflate: true },
      { name: 'study/mr.dcm', data: mr },
    ]);
    expect(await scanned(study, 'application/zip')).toMatchObject({ verdict: 'clean', signatures: [] });
  });

  it('still refuses a ZIP whose broken TIFF is a member that is not DICOM, next to a DICOM one', async () => {
    const ct = readFileSync(join(repoRoot, '.local/data/dicom/CT_small.dcm'));
    // The same TIFF header without the DICOM after it: broken media that nothing explains.
    const tiffOnly = Buffer.concat([ct.subarray(0, 128), Buffer.alloc(64, 0x41)]);
    const v = await scanned(
      zip([
        { name: 'a.dcm', data: ct },
        { name: 'b.tif', data: tiffOnly },
      ]),
      'application/zip',
    );
    expect(v.verdict).toBe('error');
    expect(v.signatures.some((s: string) => s.startsWith('Heuristics.Broken.Media.TIFF'))).toBe(true);
  });
});

describe('failing closed', () => {
  it('refuses a file larger than SCAN_MAX_BYTES without streaming it, as a final error', async () => {
    const small = scannerWith({ SCAN_MAX_BYTES: '1000' });
    const f = await seedFile(files, Buffer.alloc(2000, 1));
    await small.upload(uploadedEvent(f));
    expect((await verdictFor(f)).data).toMatchObject({ verdict: 'error', final: true });
  });

  it('stops streaming when the object is larger than its declared size and the limit', async () => {
    const small = scannerWith({ SCAN_MAX_BYTES: '1000' });
    const f = await seedFile(files, Buffer.alloc(5000, 2));
    await small.upload(uploadedEvent({ ...f, size: 10 }));
    const v = (await verdictFor(f)).data;
    expect(v).toMatchObject({ verdict: 'error', final: true });
    expect(v.error).toMatch(/scan limit/);
  });

  it('gives a final error for an object encrypted for another file (never decrypts it)', async () => {
    const f = await seedFile(files, Buffer.from('hello'), { contextFileId: newId('file') });
    await scanner.upload(uploadedEvent(f));
    const v = (await verdictFor(f)).data;
    expect(v).toMatchObject({ verdict: 'error', final: true });
    expect(v.error).toMatch(/context/i);
  });

  it('retries while clamd is unreachable and records nothing, then gives a final error on the last attempt', async () => {
    const down = scannerWith({ CLAMD_PORT: '1', SCAN_MAX_ATTEMPTS: '3' });
    const f = await seedFile(files, Buffer.from('clean bytes'));
    const e = uploadedEvent(f);
    await expect(down.upload(e, 1)).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    await expect(down.upload(e, 2)).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    expect(await down.deps.verdicts.countFor(f.fileId)).toBe(0);
    await down.upload(e, 3);
    expect((await verdictFor(f)).data).toMatchObject({ verdict: 'error', final: true });
    expect(await down.deps.verdicts.countFor(f.fileId)).toBe(1);
  });
});

describe('idempotency and generations', () => {
  it('re-emits the stored verdict with the same event id on redelivery, never scanning twice', async () => {
    const f = await seedFile(files, EICAR);
    const e = uploadedEvent(f);
    await scanner.upload(e);
    const first = await verdictFor(f);
    await scanner.upload(e, 2);
    await scanner.upload(uploadedEvent(f)); // a duplicate publish with another event id
    await expect
      .poll(
        async () =>
          (await tap.events()).filter(
            (x) => x.type === 'file.scanned' && (x.data as { fileId: string }).fileId === f.fileId,
          ).length,
      )
      .toBe(3);
    const all = (await tap.events()).filter(
      (x) => x.type === 'file.scanned' && (x.data as { fileId: string }).fileId === f.fileId,
    );
    expect(new Set(all.map((x) => x.id))).toEqual(new Set([first.id]));
    expect(await scanner.deps.verdicts.countFor(f.fileId)).toBe(1);
  });

  it('ignores a verdict request for an outdated generation', async () => {
    const f = await seedFile(files, Buffer.from('v2'));
    await scanner.upload(uploadedEvent(f, 2));
    await verdictFor(f);
    await scanner.upload(uploadedEvent(f, 1));
    const gens = async () =>
      (await tap.events())
        .filter((x) => x.type === 'file.scanned' && (x.data as { fileId: string }).fileId === f.fileId)
        .map((x) => (x.data as { generation: number }).generation);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await gens()).toEqual([2]);
  });

  it('rescans on request (owner taken from the object header) and records a separate verdict', async () => {
    const f = await seedFile(files, Buffer.from('fine content'));
    await scanner.upload(uploadedEvent(f));
    await verdictFor(f);
    const req = createEvent(
      'file.rescan_requested',
      { fileId: f.fileId, bucket: f.bucket, key: f.key, generation: 1, reason: 'signature update' },
      { correlationId: newId('event'), source: 'files' },
    );
    await scanner.rescan(req);
    await expect.poll(async () => scanner.deps.verdicts.countFor(f.fileId)).toBe(2);
    const events = (await tap.events()).filter(
      (x) => x.type === 'file.scanned' && (x.data as SeededFile).fileId === f.fileId,
    );
    expect(events.every((x) => (x.data as { verdict: string }).verdict === 'clean')).toBe(true);
  });

  it('refuses to rescan an object whose header names another file', async () => {
    const victim = await seedFile(files, Buffer.from('someone else'));
    const fileId = newId('file');
    const req = createEvent(
      'file.rescan_requested',
      { fileId, bucket: victim.bucket, key: victim.key, generation: 1, reason: 'x' },
      { correlationId: newId('event'), source: 'files' },
    );
    await scanner.rescan(req);
    const v = (await tap.waitFor('file.scanned', (e) => e.data.fileId === fileId)).data;
    expect(v).toMatchObject({ verdict: 'error', final: true });
  });
});
