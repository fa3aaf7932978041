import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { EventHandler } from '@medvault/common/bus';
import type { Envelope } from '@medvault/common/events';
import { type BusTap, openBusTap, recordSdkCalls, type SdkCall, serviceEnv } from '@medvault/common/testing';
import { zipSync } from 'fflate';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';
import { buildHandlers } from '../src/messaging/handlers.js';
import { type CleanData, type Clients, cleanEvent, clientsAs, outcomeOf, readDecrypted, seedClean } from './support.js';

// Issue 18: the watermark reads an original ONCE (one GET, one KMS unwrap, one decryption) to both
// verify its hash and render it, and tells files the derivative's hash. The calls are counted on
// the service's own SDK clients (real S3 and KMS of the local stack), per object and per file.

let deps: Deps;
let files: Clients;
let admin: Clients;
let tap: BusTap;
let handle: (e: Envelope<'file.clean'>) => Promise<void>;
const calls: SdkCall[] = [];

beforeAll(async () => {
  deps = buildDeps(loadServiceConfig(serviceEnv('watermark', { LOG_LEVEL: 'silent' })));
  recordSdkCalls(calls, deps);
  const h = buildHandlers(deps)['file.clean'] as EventHandler<'file.clean'>;
  handle = (e) => h(e, { logger: deps.logger, receiveCount: 1 });
  files = clientsAs('files');
  admin = clientsAs('provisioner');
  tap = await openBusTap(['file.processed', 'file.integrity_failed', 'file.processing_failed']);
});

beforeEach(() => {
  calls.length = 0;
});

afterAll(async () => {
  await tap?.close();
  files?.close();
  admin?.close();
  await deps?.close();
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** What the service asked S3 and KMS about one file: reads of its original, unwraps, writes. */
function callsFor(d: CleanData) {
  const of = (command: string) => calls.filter((c) => c.command === command);
  return {
    originalGets: of('GetObjectCommand').filter((c) => c.input.Key === d.key).length,
    unwraps: of('DecryptCommand').filter(
      (c) => (c.input.EncryptionContext as Record<string, string> | undefined)?.fileId === d.fileId,
    ).length,
    derivativePuts: of('PutObjectCommand').filter((c) => String(c.input.Key).startsWith(`derivatives/${d.fileId}/`))
      .length,
  };
}

const outcomeFor = (d: { fileId: string }) => outcomeOf(tap, d);

async function exists(bucket: string, key: string): Promise<boolean> {
  try {
    await admin.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (e) {
    if ((e as { name?: string }).name === 'NotFound') return false;
    throw e;
  }
}

const png = (width = 120, height = 80) =>
  sharp({ create: { width, height, channels: 3, background: '#3366aa' } })
    .png()
    .toBuffer();

const derivativesBucket = () => deps.config.BUCKET_DERIVATIVES;
const watermarkedKey = (d: CleanData) => `derivatives/${d.fileId}/g1/watermarked.png`;

describe('one read of the original', () => {
  it('verifies and renders an image from one GET and one KMS unwrap, and the event carries the rendition hash', async () => {
    const d = await seedClean(files, await png(), 'image/png');
    await handle(cleanEvent(d));
    const e = (await outcomeFor(d)) as Envelope<'file.processed'>;
    expect(e.type).toBe('file.processed');
    expect(e.data).toMatchObject({ sha256: d.sha256, sha256Verified: true });
    expect(callsFor(d)).toEqual({ originalGets: 1, unwraps: 1, derivativePuts: 1 });
    const der = e.data.derivatives[0]!;
    const bytes = await readDecrypted(admin, der.bucket, der.key, { fileId: d.fileId, ownerId: d.ownerId });
    // The hash travels with the event, and it is the hash of what was stored.
    expect(der.sha256).toBe(sha(bytes));
    expect(der.size).toBe(bytes.length);
  });

  it('indexes a study ZIP from one GET and one KMS unwrap', async () => {
    const ct = readFileSync(join(import.meta.dirname, '../../../.local/data/dicom/CT_small.dcm'));
    const zip = Buffer.from(zipSync({ 'study/ct.dcm': ct, 'README.txt': Buffer.from('notes') }));
    const d = await seedClean(files, zip, 'application/zip');
    await handle(cleanEvent(d));
    const e = (await outcomeFor(d)) as Envelope<'file.processed'>;
    expect(e.type).toBe('file.processed');
    expect(e.data.dicom).toMatchObject({ modality: 'CT', instances: 1 });
    expect(callsFor(d)).toMatchObject({ originalGets: 1, unwraps: 1 });
  });

  it('still verifies the whole of a ZIP it stops reading early (unknown compression method)', async () => {
    const zip = Buffer.from(zipSync({ 'a.dcm': [Buffer.alloc(200_000, 1), { level: 6 }] }));
    zip.writeUInt16LE(99, 8); // the first member's compression method: the reader gives up there
    const unreadable = Buffer.concat([zip, Buffer.alloc(1_000_000, 3)]);
    const ok = await seedClean(files, unreadable, 'application/zip');
    await handle(cleanEvent(ok));
    const processed = (await outcomeFor(ok)) as Envelope<'file.processed'>;
    expect(processed.type).toBe('file.processed');
    expect(processed.data).toMatchObject({ sha256Verified: true, derivatives: [] });
    expect(processed.data.dicom).toBeUndefined();
    const bad = await seedClean(files, unreadable, 'application/zip', { sha256: 'a'.repeat(64) });
    await handle(cleanEvent(bad));
    const e = (await outcomeFor(bad)) as Envelope<'file.integrity_failed'>;
    expect(e.type).toBe('file.integrity_failed');
    expect(e.data.actualSha256).toBe(sha(unreadable));
  });
});

describe('a tampered original is still refused, and leaves nothing behind', () => {
  it('reports a decodable image whose hash does not match as file.integrity_failed, from one read, and stores no rendition', async () => {
    const image = await png();
    const d = await seedClean(files, image, 'image/png', { sha256: 'f'.repeat(64) });
    await handle(cleanEvent(d));
    const e = (await outcomeFor(d)) as Envelope<'file.integrity_failed'>;
    expect(e.type).toBe('file.integrity_failed');
    expect(e.data).toMatchObject({ stage: 'watermark', expectedSha256: 'f'.repeat(64), actualSha256: sha(image) });
    expect(callsFor(d)).toEqual({ originalGets: 1, unwraps: 1, derivativePuts: 0 });
    expect(await exists(derivativesBucket(), watermarkedKey(d))).toBe(false);
  });

  it('reports an original with a flipped byte in its last segment as file.integrity_failed and stores no rendition', async () => {
    const d = await seedClean(files, await png(400, 300), 'image/png');
    const stored = await buffer(
      (await admin.s3.send(new GetObjectCommand({ Bucket: d.bucket, Key: d.key }))).Body as Readable,
    );
    stored[stored.length - 20]! ^= 0x01;
    await admin.s3.send(new PutObjectCommand({ Bucket: d.bucket, Key: d.key, Body: stored }));
    await handle(cleanEvent(d));
    const e = (await outcomeFor(d)) as Envelope<'file.integrity_failed'>;
    expect(e.type).toBe('file.integrity_failed');
    expect(e.data.actualSha256).toBeUndefined();
    expect(callsFor(d).derivativePuts).toBe(0);
    expect(await exists(derivativesBucket(), watermarkedKey(d))).toBe(false);
  });
});
