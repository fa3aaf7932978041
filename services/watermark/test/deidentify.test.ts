import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { EventHandler } from '@medvault/common/bus';
import { createEvent, type Envelope, type EventData } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import { type BusTap, openBusTap, openPrivateTopic, serviceEnv } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyKey } from '../src/app/deidentify-file.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';
import { BASIC_PROFILE, resolve } from '../src/domain/deid/profile.js';
import { buildHandlers } from '../src/messaging/handlers.js';
import { dump, sample, seriesInstance } from './deid-support.js';
import { type Clients, clientsAs, readDecrypted, seedClean } from './support.js';

let deps: Deps;
let files: Clients;
let admin: Clients;
let tap: BusTap;
let handle: (e: Envelope<'file.deidentify_requested'>) => Promise<void>;
let topic: Awaited<ReturnType<typeof openPrivateTopic>>;

beforeAll(async () => {
  // The worker publishes on a topic of the test's own: on the real one the running files service
  // records each copy and the pipeline moves it out of quarantine while the test reads it.
  topic = await openPrivateTopic();
  deps = buildDeps(loadServiceConfig(serviceEnv('watermark', { LOG_LEVEL: 'silent', EVENTS_TOPIC_ARN: topic.arn })));
  const h = buildHandlers(deps)['file.deidentify_requested'] as EventHandler<'file.deidentify_requested'>;
  handle = (e) => h(e, { logger: deps.logger, receiveCount: 1 });
  files = clientsAs('files');
  admin = clientsAs('provisioner');
  tap = await openBusTap(['file.deidentified', 'file.integrity_failed'], topic.arn);
});

afterAll(async () => {
  await tap?.close();
  await topic?.close();
  files?.close();
  admin?.close();
  await deps?.close();
});

function request(
  source: Awaited<ReturnType<typeof seedClean>>,
  requester: string,
  over: Partial<EventData<'file.deidentify_requested'>> = {},
) {
  return createEvent(
    'file.deidentify_requested',
    {
      fileId: newId('file'),
      sourceFileId: source.fileId,
      sourceOwnerId: source.ownerId,
      ownerId: requester,
      requestedBy: requester,
      bucket: source.bucket,
      key: source.key,
      sha256: source.sha256,
      generation: 1,
      ...over,
    },
    { correlationId: newId('event'), source: 'files' },
  );
}

/** Seeds `data` clean, asks for its copy, and returns the copy (decrypted as its new owner's) and its event. */
async function deidentified(data: Buffer, requester: string) {
  const source = await seedClean(files, data, 'application/dicom');
  const req = request(source, requester);
  await handle(req);
  const e = await tap.waitFor('file.deidentified', (x) => x.data.fileId === req.data.fileId);
  const copy = await readDecrypted(admin, e.data.bucket, e.data.key, { fileId: req.data.fileId, ownerId: requester });
  return { source, req, e: e.data, eventId: e.id, copy };
}

describe('de-identification in the watermark worker (real S3, KMS, SNS, Redis)', () => {
  it('leaves no Basic Profile identifying attribute, no private tag, and the pixel data unchanged', async () => {
    const original = seriesInstance(1);
    const before = dump(original);
    const { e, copy } = await deidentified(original, newId('user'));
    expect(e.bucket).toBe(process.env.BUCKET_QUARANTINE);
    expect(e.key).toBe(copyKey(e.fileId));
    expect(e.size).toBe(copy.length);
    expect(e).toMatchObject({ profile: 'basic', edition: '2021b' });
    const after = dump(copy);
    for (const [tag, action] of BASIC_PROFILE.rows()) {
      const was = before.elements[tag];
      const now = after.elements[tag];
      if (!was) continue;
      const applied = resolve(action);
      if (applied === 'X') expect(now, `${tag} (${action}) removed`).toBeUndefined();
      if (applied === 'Z') expect(now?.value ?? '', `${tag} (${action}) empty`).toBe('');
      if (applied === 'D' || applied === 'U') expect(now?.value, `${tag} (${action}) replaced`).not.toBe(was.value);
      if (applied === 'U') expect(now?.value).toMatch(/^2\.25\.\d+$/);
    }
    expect(before.private.length).toBeGreaterThan(10);
    expect(after.private).toEqual([]);
    expect(after.elements['00120062']?.value).toBe('YES');
    expect(after.elements['00120063']?.value).toMatch(/Basic Profile \(DICOM 2021b\)/);
    expect(after.meta['00020003']).toBe(after.elements['00080018']?.value);
    // Nothing of the identity survives anywhere in the file, nested sequences included.
    const text = copy.toString('latin1');
    for (const s of [
      'Doe^Jane',
      'MRN-0042',
      '19610203',
      'House^Gregory',
      'Wilson^James',
      'Cuddy^Lisa',
      'JFK IMAGING',
      'ACME',
    ])
      expect(text, s).not.toContain(s);
    expect(after.frames).toEqual(before.frames);
    expect(after.frames).toHaveLength(1);
    // Not identifying, kept: what the image is.
    for (const tag of ['00080016', '00080060', '00280010', '00280011', '00280100', '00281050'])
      expect(after.elements[tag]?.value, tag).toBe(before.elements[tag]?.value);
  });

  it('maps the UIDs of every instance of a series alike for one requester, and differently for another', async () => {
    const requester = newId('user');
    const copies = await Promise.all([1, 2, 3].map((n) => deidentified(seriesInstance(n), requester)));
    const dumps = copies.map((c) => dump(c.copy).elements);
    for (const tag of ['0020000D', '0020000E', '00200052']) {
      const values = new Set(dumps.map((d) => d[tag]?.value));
      expect(values.size, `${tag} one value across the series`).toBe(1);
      expect([...values][0]).toMatch(/^2\.25\.\d+$/);
    }
    expect(new Set(dumps.map((d) => d['00080018']?.value)).size).toBe(3);
    expect(dumps.map((d) => d['00200013']?.value)).toEqual(['1', '2', '3']);
    const other = dump((await deidentified(seriesInstance(1), newId('user'))).copy).elements;
    expect(other['0020000D']?.value).not.toBe(dumps[0]!['0020000D']?.value);
  });

  it('keeps compressed frames byte for byte (JPEG 2000, RLE, JPEG baseline)', async () => {
    for (const name of ['MR_small_jp2klossless', 'MR_small_RLE', 'SC_rgb_jpeg_dcmtk']) {
      const original = sample(name);
      const { copy } = await deidentified(original, newId('user'));
      expect(dump(copy).frames, name).toEqual(dump(original).frames);
    }
  });

  it('is idempotent: a redelivered request leaves the written copy as it is and announces the same bytes', async () => {
    const requester = newId('user');
    const { req, e, eventId } = await deidentified(seriesInstance(7), requester);
    const head = () => admin.s3.send(new HeadObjectCommand({ Bucket: e.bucket, Key: e.key }));
    const etag = (await head()).ETag;
    await handle(
      createEvent('file.deidentify_requested', req.data, { correlationId: newId('event'), source: 'files' }),
    );
    const again = await tap.waitFor(
      'file.deidentified',
      (x) => x.data.fileId === req.data.fileId && x.id !== eventId,
      20_000,
    );
    expect(again.data.sha256).toBe(e.sha256);
    expect((await head()).ETag).toBe(etag);
  });

  it('refuses a source whose bytes do not match their recorded digest (file.integrity_failed, no copy)', async () => {
    const source = await seedClean(files, seriesInstance(9), 'application/dicom', { sha256: 'f'.repeat(64) });
    const req = request(source, newId('user'));
    await handle(req);
    const failed = await tap.waitFor('file.integrity_failed', (x) => x.data.fileId === source.fileId);
    expect(failed.data.stage).toBe('deidentify');
    expect(await deps.copies.has(copyKey(req.data.fileId))).toBe(false);
  });
});
