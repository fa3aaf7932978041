import { Readable } from 'node:stream';
import { deflateRawSync } from 'node:zlib';
import type { EventHandler } from '@medvault/common/bus';
import type { Envelope } from '@medvault/common/events';
import { type BusTap, openBusTap, serviceEnv, unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';
import { buildHandlers } from '../src/messaging/handlers.js';
import { pdf, png } from './fixtures.js';
import { type Clients, clientsAs, seedFile, uploadedEvent } from './support.js';
import { malwareDoc, zip } from './zip-writer.js';

/**
 * Issue 14, finding 1: a ZIP64 entry hid the test signature from clamd and the file was served.
 * Each attack archive goes through the real pipeline (S3 → decrypt → scanner → clamd) and must
 * never come out `clean`.
 */
const db = unique('scanner_archive').replace(/-/g, '_');
const opened: Deps[] = [];
let files: Clients;
let tap: BusTap;

function scannerWith(overrides: Record<string, string> = {}) {
  const deps = buildDeps(loadServiceConfig(serviceEnv('scanner', { LOG_LEVEL: 'silent', MONGO_DB: db, ...overrides })));
  opened.push(deps);
  const upload = buildHandlers(deps)['file.uploaded'] as EventHandler<'file.uploaded'>;
  return async (data: Buffer) => {
    const f = await seedFile(files, data, { contentType: 'application/zip' });
    await upload(uploadedEvent(f), { logger: deps.logger, receiveCount: 1 });
    return (await tap.waitFor('file.scanned', (e: Envelope<'file.scanned'>) => e.data.fileId === f.fileId)).data;
  };
}

let scan: ReturnType<typeof scannerWith>;

beforeAll(async () => {
  files = clientsAs('files');
  tap = await openBusTap(['file.scanned']);
  scan = scannerWith();
});

afterAll(async () => {
  await tap?.close();
  files?.close();
  await opened[0]?.db.dropDatabase().catch(() => undefined);
  await Promise.all(opened.map((d) => d.close()));
});

/** What clamd alone says about the bytes (the premise of each attack). */
async function clamdAlone(data: Buffer): Promise<string> {
  return (await opened[0]?.clamd.scanStream(Readable.from([data]), 1e9))?.reply ?? '';
}

const doc = malwareDoc();
const refused = { verdict: 'error', final: true };

describe('ZIP64 and streamed entries (the reported attack)', () => {
  it('finds the test signature in a ZIP64 entry that clamd alone passes as OK', async () => {
    const attack = zip([{ name: 'report.txt', data: doc, deflate: true, zip64: true }]);
    expect(await clamdAlone(attack)).toBe('stream: OK');
    const v = await scan(attack);
    expect(v.verdict).toBe('infected');
    expect(v.signatures).toContain('Medvault-Test-Malware.UNOFFICIAL');
  });

  it('finds the test signature in a streamed ZIP64 entry with a data descriptor, deflated and stored', async () => {
    for (const deflate of [true, false]) {
      const v = await scan(zip([{ name: 'r.txt', data: doc, deflate, zip64: true, descriptor: true }]));
      expect(v).toMatchObject({ verdict: 'infected', signatures: ['Medvault-Test-Malware.UNOFFICIAL'] });
    }
  });

  it('finds the test signature in a ZIP64 entry of a ZIP nested in a ZIP', async () => {
    const inner = zip([{ name: 'r.txt', data: doc, deflate: true, zip64: true }]);
    const outer = zip([
      { name: 'notes.txt', data: Buffer.from('hello') },
      { name: 'inner.zip', data: inner, deflate: true },
    ]);
    expect(await clamdAlone(outer)).toBe('stream: OK');
    expect((await scan(outer)).verdict).toBe('infected');
  });

  it('never passes a streamed ZIP64 archive behind a prefix (self-extractor layout clamd skips)', async () => {
    const attack = zip([{ name: 'r.txt', data: doc, deflate: true, zip64: true, descriptor: true }], {
      prefix: Buffer.from('MZ stub '.repeat(80)),
    });
    expect(await clamdAlone(attack)).toBe('stream: OK');
    const v = await scan(attack);
    expect(v.verdict).not.toBe('clean');
    expect(v).toMatchObject(refused);
    expect(v.signatures).toContain('MedVault.Archive.Embedded');
  });

  it('never passes ZIP data appended to a PDF (polyglot)', async () => {
    const zipped = zip([{ name: 'r.txt', data: doc, deflate: true, zip64: true }]);
    const v = await scan(Buffer.concat([pdf(), zipped]));
    expect(v).toMatchObject(refused);
    expect(v.signatures).toContain('MedVault.Archive.Embedded');
  });

  it('never passes an encrypted streamed ZIP64 entry (cannot be inspected)', async () => {
    const v = await scan(zip([{ name: 's.txt', data: doc, encrypted: true, zip64: true, descriptor: true }]));
    expect(v).toMatchObject(refused);
    expect(v.signatures).toContain('MedVault.Archive.Encrypted');
  });
});

describe('archives whose central directory and local headers disagree', () => {
  it('refuses a local entry the central directory does not list (and clamd does not scan)', async () => {
    const attack = zip([
      { name: 'ok.txt', data: Buffer.from('fine'), deflate: true },
      { name: 'payload.txt', data: doc, deflate: true, hidden: true },
    ]);
    expect(await clamdAlone(attack)).toBe('stream: OK');
    const v = await scan(attack);
    expect(v).toMatchObject(refused);
    expect(v.signatures).toContain('MedVault.Archive.Mismatch');
  });

  it('refuses an entry whose central name differs from its local name', async () => {
    const v = await scan(zip([{ name: 'a.txt', data: Buffer.from('clean text'), centralName: 'b.txt' }]));
    expect(v).toMatchObject(refused);
    expect(v.signatures).toContain('MedVault.Archive.Mismatch');
  });

  it('refuses an entry whose central size differs from the data', async () => {
    const v = await scan(
      zip([{ name: 'a.txt', data: Buffer.from('clean text '.repeat(20)), deflate: true, centralSize: 7 }]),
    );
    expect(v).toMatchObject(refused);
    expect(v.signatures).toContain('MedVault.Archive.Mismatch');
  });

  it('refuses two central records sharing one local entry (overlapping members)', async () => {
    const v = await scan(zip([{ name: 'a.txt', data: Buffer.from('clean text'), listedTwice: true }]));
    expect(v).toMatchObject(refused);
    expect(v.signatures).toContain('MedVault.Archive.Mismatch');
  });

  it('refuses a local entry hidden in the archive comment', async () => {
    const other = zip([{ name: 'p.txt', data: doc, deflate: true, zip64: true }]);
    const localEntry = other.subarray(0, other.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])));
    const attack = zip([{ name: 'a.txt', data: Buffer.from('clean') }], { comment: localEntry });
    expect(await clamdAlone(attack)).toBe('stream: OK');
    const v = await scan(attack);
    expect(v).toMatchObject(refused);
    expect(v.signatures).toContain('MedVault.Archive.Mismatch');
  });

  it('refuses a member whose data does not match its CRC-32', async () => {
    const v = await scan(
      zip([{ name: 'a.txt', data: Buffer.from('clean text '.repeat(9)), deflate: true, badCrc: true }]),
    );
    expect(v).toMatchObject(refused);
    expect(v.signatures).toContain('MedVault.Archive.Broken');
  });

  it('refuses a truncated archive', async () => {
    const whole = zip([{ name: 'a.txt', data: Buffer.from('clean text '.repeat(50)), deflate: true }]);
    const v = await scan(whole.subarray(0, whole.length - 30));
    expect(v).toMatchObject(refused);
    expect(v.signatures).toContain('MedVault.Archive.Broken');
  });
});

describe('archive limits', () => {
  it('refuses more entries than ARCHIVE_MAX_ENTRIES', async () => {
    const many = scannerWith({ ARCHIVE_MAX_ENTRIES: '3' });
    const entries = [1, 2, 3, 4].map((i) => ({ name: `${i}.txt`, data: Buffer.from(`n${i}`) }));
    const v = await many(zip(entries));
    expect(v).toMatchObject(refused);
    expect(v.signatures).toContain('MedVault.Archive.Limits.Exceeded.Entries');
  });

  it('refuses a member expanding more than ARCHIVE_MAX_RATIO (zip bomb)', async () => {
    const zeros = Buffer.alloc(8 * 1024 * 1024);
    expect(deflateRawSync(zeros).length * 200).toBeLessThan(zeros.length);
    const v = await scan(zip([{ name: 'z.bin', data: zeros, deflate: true }]));
    expect(v).toMatchObject(refused);
    expect(v.signatures).toContain('MedVault.Archive.Limits.Exceeded.Ratio');
  });

  it('refuses archives nested deeper than ARCHIVE_MAX_DEPTH', async () => {
    const shallow = scannerWith({ ARCHIVE_MAX_DEPTH: '2' });
    let z = zip([{ name: 'leaf.txt', data: Buffer.from('clean') }]);
    for (let i = 0; i < 3; i++) z = zip([{ name: `l${i}.zip`, data: z, deflate: true }]);
    const v = await shallow(z);
    expect(v).toMatchObject(refused);
    expect(v.signatures).toContain('MedVault.Archive.Limits.Exceeded.Depth');
  });

  it('refuses archives expanding beyond ARCHIVE_MAX_EXPANDED_BYTES in total', async () => {
    const small = scannerWith({ ARCHIVE_MAX_EXPANDED_BYTES: '1000' });
    const v = await small(zip([1, 2].map((i) => ({ name: `${i}.txt`, data: Buffer.alloc(600, 65 + i) }))));
    expect(v).toMatchObject(refused);
    expect(v.signatures).toContain('MedVault.Archive.Limits.Exceeded.Size');
  });
});

describe("clamd's own alerts", () => {
  it('never passes a truncated image (AlertBrokenMedia): unscannable, final error', async () => {
    const image = png();
    const v = await scan(image.subarray(0, image.length - 6));
    expect(v).toMatchObject(refused);
    expect(v.signatures.some((s) => s.startsWith('Heuristics.Broken.Media.PNG'))).toBe(true);
  });
});

describe('well-formed archives stay clean', () => {
  it('passes clean archives in every layout: stored, deflated, ZIP64, data descriptors, nested, empty', async () => {
    const text = Buffer.from('Blood pressure 120/80\n'.repeat(30));
    const layouts = [
      zip([{ name: 'a.txt', data: text }]),
      zip([{ name: 'a.txt', data: text, deflate: true }]),
      zip([{ name: 'a.txt', data: text, deflate: true, zip64: true }]),
      zip([{ name: 'a.txt', data: text, deflate: true, descriptor: true }]),
      zip([{ name: 'a.txt', data: text, deflate: true, zip64: true, descriptor: true }]),
      zip([{ name: 'a.txt', data: text, deflate: true, zip64: true, descriptor: true }], { zip64End: true }),
      zip([
        { name: 'r.pdf', data: pdf() },
        { name: 'in.zip', data: zip([{ name: 'b.txt', data: text, deflate: true, zip64: true }]) },
      ]),
      zip([]),
    ];
    for (const z of layouts) expect(await scan(z)).toMatchObject({ verdict: 'clean', signatures: [] });
  });
});
