import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import type { EventHandler } from '@medvault/common/bus';
import type { Envelope } from '@medvault/common/events';
import { type BusTap, openBusTap, serviceEnv } from '@medvault/common/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';
import { parseMetadataDescription } from '../src/domain/rendition.js';
import { buildHandlers } from '../src/messaging/handlers.js';
import {
  type CleanData,
  type Clients,
  cleanEvent,
  clientsAs,
  outcomeOf,
  readDecrypted,
  seedClean,
  startConsumer,
} from './support.js';

let deps: Deps;
let files: Clients;
let admin: Clients;
let tap: BusTap;
let handle: (e: Envelope<'file.clean'>) => Promise<void>;

beforeAll(async () => {
  deps = buildDeps(loadServiceConfig(serviceEnv('watermark', { LOG_LEVEL: 'silent' })));
  const h = buildHandlers(deps)['file.clean'] as EventHandler<'file.clean'>;
  handle = (e) => h(e, { logger: deps.logger, receiveCount: 1 });
  files = clientsAs('files');
  admin = clientsAs('provisioner');
  tap = await openBusTap(['file.processed', 'file.integrity_failed', 'file.processing_failed']);
});

afterAll(async () => {
  await tap?.close();
  files?.close();
  admin?.close();
  await deps?.close();
});

/** A smooth gradient: any watermark pixel shows up as a difference. */
async function gradientRaw(width: number, height: number) {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      raw.set([Math.round((x * 255) / width), Math.round((y * 255) / height), 120], (y * width + x) * 3);
  }
  return raw;
}

const outcomeFor = (d: { fileId: string }) => outcomeOf(tap, d);

async function derivativeOf(d: CleanData, timeoutMs = 20_000) {
  const e = await tap.waitFor('file.processed', (x) => x.data.fileId === d.fileId, timeoutMs);
  expect(e.data).toMatchObject({ sha256: d.sha256, sha256Verified: true, generation: 1 });
  expect(e.data.derivatives).toHaveLength(1);
  const der = e.data.derivatives[0]!;
  expect(der.key).toMatch(new RegExp(`^derivatives/${d.fileId}/g1/watermarked\\.`));
  const bytes = await readDecrypted(admin, der.bucket, der.key, { fileId: d.fileId, ownerId: d.ownerId });
  expect(bytes.length).toBe(der.size);
  // Issue 18: the event names the rendition's hash, so files need not read it back to hash it.
  expect(der.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  return { der, bytes };
}

describe('watermarked renditions', () => {
  it('renders a clean PNG (through the real queue) with a visible tiled watermark and the hash in its metadata', {
    timeout: 120_000,
  }, async () => {
    const width = 480;
    const height = 360;
    const raw = await gradientRaw(width, height);
    const original = await sharp(raw, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer();
    const d = await seedClean(files, original, 'image/png');
    const consumer = startConsumer(deps);
    try {
      await files.publisher.publish(cleanEvent(d));
      // Through the shared queue: other work may be queued ahead of this message.
      const { der, bytes } = await derivativeOf(d, 90_000);
      expect(der.contentType).toBe('image/png');
      const meta = await sharp(bytes).metadata();
      expect(meta).toMatchObject({ format: 'png', width, height });
      expect(parseMetadataDescription(meta.exif?.toString('latin1') ?? '')).toEqual({
        fileId: d.fileId,
        sha256: d.sha256,
      });
      const out = await sharp(bytes).removeAlpha().raw().toBuffer();
      // Count changed pixels per quadrant: the watermark covers the whole image, not one spot.
      const changed = [0, 0, 0, 0];
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 3;
          const diff =
            Math.abs(out[i]! - raw[i]!) + Math.abs(out[i + 1]! - raw[i + 1]!) + Math.abs(out[i + 2]! - raw[i + 2]!);
          if (diff > 30) changed[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)]! += 1;
        }
      }
      const quadrant = (width * height) / 4;
      for (const n of changed) expect(n / quadrant).toBeGreaterThan(0.01);
    } finally {
      await consumer.stop();
    }
  });

  it('keeps JPEG as JPEG and renders TIFF as PNG', async () => {
    const raw = await gradientRaw(200, 150);
    const jpeg = await seedClean(
      files,
      await sharp(raw, { raw: { width: 200, height: 150, channels: 3 } })
        .jpeg()
        .toBuffer(),
      'image/jpeg',
    );
    const tiff = await seedClean(
      files,
      await sharp(raw, { raw: { width: 200, height: 150, channels: 3 } })
        .tiff()
        .toBuffer(),
      'image/tiff',
    );
    await handle(cleanEvent(jpeg));
    await handle(cleanEvent(tiff));
    const j = await derivativeOf(jpeg);
    expect(j.der).toMatchObject({ contentType: 'image/jpeg', key: expect.stringMatching(/\.jpg$/) });
    expect((await sharp(j.bytes).metadata()).format).toBe('jpeg');
    const t = await derivativeOf(tiff);
    expect(t.der).toMatchObject({ contentType: 'image/png', key: expect.stringMatching(/\.png$/) });
    expect(parseMetadataDescription((await sharp(t.bytes).metadata()).exif?.toString('latin1') ?? '')?.sha256).toBe(
      tiff.sha256,
    );
  });

  it('verifies a large clean object that files copied from a multipart upload', async () => {
    const data = Buffer.concat([
      Buffer.from('%PDF-1.4\n'),
      Buffer.alloc(6 * 1024 * 1024, 0x20),
      Buffer.from('%%EOF\n'),
    ]);
    const d = await seedClean(files, data, 'application/pdf', { viaQuarantineCopy: true });
    await handle(cleanEvent(d));
    const e = (await outcomeFor(d)) as Envelope<'file.processed'>;
    expect(e.type).toBe('file.processed');
    expect(e.data).toMatchObject({ sha256: d.sha256, sha256Verified: true, derivatives: [] });
  });

  it('records the verified hash of a PDF without any rendition', async () => {
    const d = await seedClean(files, Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n'), 'application/pdf');
    await handle(cleanEvent(d));
    const e = (await outcomeFor(d)) as Envelope<'file.processed'>;
    expect(e.type).toBe('file.processed');
    expect(e.data).toMatchObject({ sha256: d.sha256, sha256Verified: true, derivatives: [] });
  });
});

describe('integrity and refusals', () => {
  it('reports a hash mismatch as file.integrity_failed and renders nothing', async () => {
    const d = await seedClean(
      files,
      await sharp({ create: { width: 50, height: 50, channels: 3, background: '#808080' } })
        .png()
        .toBuffer(),
      'image/png',
      { sha256: 'f'.repeat(64) },
    );
    await handle(cleanEvent(d));
    const e = (await outcomeFor(d)) as Envelope<'file.integrity_failed'>;
    expect(e.type).toBe('file.integrity_failed');
    expect(e.data).toMatchObject({ stage: 'watermark', expectedSha256: 'f'.repeat(64), ownerId: d.ownerId });
    expect(e.data.actualSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(e.data.actualSha256).not.toBe('f'.repeat(64));
  });

  it('reports an object sealed for another file as file.integrity_failed', async () => {
    const d = await seedClean(files, Buffer.from('data'), 'text/plain', {
      contextFileId: 'fil_00000000000000000000000000',
    });
    await handle(cleanEvent(d));
    expect((await outcomeFor(d)).type).toBe('file.integrity_failed');
  });

  it('refuses a 50 000 x 50 000 decompression bomb without crashing or exhausting memory', async () => {
    const bomb = pngBomb(50_000, 50_000);
    expect(bomb.length).toBeLessThan(20_000);
    const d = await seedClean(files, bomb, 'image/png');
    const before = process.memoryUsage().rss;
    await handle(cleanEvent(d));
    const e = (await outcomeFor(d)) as Envelope<'file.processing_failed'>;
    expect(e.type).toBe('file.processing_failed');
    expect(e.data).toMatchObject({ code: 'IMAGE_TOO_LARGE', stage: 'watermark', generation: 1 });
    // Decoding it would need 2.5 GB; the worker refused before allocating pixels.
    expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1024 * 1024);
  });

  it('refuses bytes that claim to be an image but cannot be decoded', async () => {
    const d = await seedClean(files, Buffer.from('definitely not a png'), 'image/png');
    await handle(cleanEvent(d));
    const e = (await outcomeFor(d)) as Envelope<'file.processing_failed'>;
    expect(e.data).toMatchObject({ code: 'IMAGE_UNREADABLE' });
  });
});

/** A PNG header declaring width x height grey pixels, followed by a few kB of zero rows. */
function pngBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const rows = deflateSync(Buffer.alloc((width + 1) * 20)); // 20 rows of zeros; the rest "would" follow
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', rows),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
