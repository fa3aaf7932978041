import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createEncryptStream } from '@medvault/common/crypto';
import { openBusTap } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeDue } from '../src/app/purge.js';
import type { Clock } from '../src/deps.js';
import {
  adminS3,
  closeAll,
  deliver,
  type Harness,
  harness,
  makeAvailable,
  multipart,
  scan,
  type User,
  user,
} from './helpers.js';

const s3 = adminS3();
let h: Harness;
let now = new Date();
const clock: Clock = { now: () => now };
beforeAll(async () => {
  h = await harness();
  h.deps.clock = clock;
  h.deps.outbox.kick = () => undefined; // events leave only on explicit flushes here
});
afterAll(closeAll);

async function uploaded(u: User, data: Buffer, fields: Record<string, string> = {}) {
  const m = multipart(data, { filename: 'x', fields });
  const res = await h.app.inject({
    method: 'POST',
    url: '/v1/files',
    headers: { ...u.auth, ...m.headers },
    payload: m.payload,
  });
  expect(res.statusCode, res.body).toBe(202);
  return res.json() as { id: string; sha256: string; size: number };
}
const pdf = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2000)]);
const exists = (bucket: string, key: string) =>
  s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
    () => true,
    () => false,
  );
const status = async (id: string) => (await h.deps.files.get(id))?.status;

describe('status lifecycle driven by events', () => {
  it('moves a clean file to the clean bucket and emits file.clean with its new location', async () => {
    const tap = await openBusTap(['file.clean']);
    try {
      const f = await uploaded(user('patient'), pdf());
      await scan(h, f.id, 'clean');
      expect(await status(f.id)).toBe('clean');
      expect(await exists('medvault-clean', `files/${f.id}`)).toBe(true);
      expect(await exists('medvault-quarantine', `files/${f.id}`)).toBe(false);
      await h.deps.outbox.flush();
      const e = await tap.waitFor('file.clean', (x) => x.data.fileId === f.id);
      expect(e.data).toMatchObject({ bucket: 'medvault-clean', key: `files/${f.id}`, generation: 1, sha256: f.sha256 });
    } finally {
      await tap.close();
    }
  });

  it('keeps an infected file in quarantine for ever and emits file.infected', async () => {
    const tap = await openBusTap(['file.infected']);
    try {
      const f = await uploaded(user('patient'), pdf());
      await scan(h, f.id, 'infected');
      await scan(h, f.id, 'clean'); // a later contradicting verdict changes nothing
      expect(await status(f.id)).toBe('infected');
      expect(await exists('medvault-quarantine', `files/${f.id}`)).toBe(true);
      await h.deps.outbox.flush();
      const e = await tap.waitFor('file.infected', (x) => x.data.fileId === f.id);
      expect(e.data.signatures).toEqual(['Eicar-Test-Signature']);
    } finally {
      await tap.close();
    }
  });

  it('pulls an available file back to quarantine when a rescan finds it infected, and emits file.infected', async () => {
    const tap = await openBusTap(['file.infected']);
    try {
      const p = user('patient');
      const f = await uploaded(p, pdf());
      await makeAvailable(h, f.id, f.sha256);
      expect(await exists('medvault-clean', `files/${f.id}`)).toBe(true);
      const admin = user('admin');
      const r = await h.app.inject({ method: 'POST', url: `/v1/files/${f.id}/rescan`, headers: admin.auth });
      expect(r.statusCode, r.body).toBe(202);
      expect(r.json()).toMatchObject({ status: 'quarantined', generation: 2 });
      // While the rescan runs the file is not served, even through a link handed out before.
      const l = await h.app.inject({ method: 'POST', url: `/v1/files/${f.id}/links`, headers: p.auth, payload: {} });
      expect(l.statusCode, l.body).toBe(201);
      expect((await h.app.inject({ method: 'GET', url: l.json().url, headers: p.auth })).statusCode).toBe(409);
      await scan(h, f.id, 'infected', 2);
      expect(await status(f.id)).toBe('infected');
      expect(await exists('medvault-quarantine', `files/${f.id}`)).toBe(true);
      expect(await exists('medvault-clean', `files/${f.id}`)).toBe(false);
      await h.deps.outbox.flush();
      const e = await tap.waitFor('file.infected', (x) => x.data.fileId === f.id);
      expect(e.data).toMatchObject({ ownerId: p.id, previousStatus: 'quarantined', foundOnRescan: true });
    } finally {
      await tap.close();
    }
  });

  it('ignores a transient scan error, fails on a final one, and ignores verdicts for an outdated generation', async () => {
    const f = await uploaded(user('patient'), pdf());
    await scan(h, f.id, 'error', 1, { error: 'busy' });
    expect(await status(f.id)).toBe('quarantined');
    await scan(h, f.id, 'error', 1, { error: 'gave up', final: true });
    expect(await status(f.id)).toBe('scan_failed');
    const admin = user('admin');
    const r = await h.app.inject({ method: 'POST', url: `/v1/files/${f.id}/rescan`, headers: admin.auth });
    expect(r.statusCode, r.body).toBe(202);
    expect(r.json()).toMatchObject({ status: 'quarantined', generation: 2 });
    await scan(h, f.id, 'clean', 1);
    expect(await status(f.id)).toBe('quarantined');
    await scan(h, f.id, 'clean', 2);
    expect(await status(f.id)).toBe('clean');
  });

  it('serves an image as its watermarked rendition once processed', async () => {
    const p = user('patient');
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(3000)]);
    const f = await uploaded(p, png);
    await scan(h, f.id, 'clean');
    const marked = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from('WATERMARKED'),
      randomBytes(500),
    ]);
    const enc = await createEncryptStream(h.deps.keys, { fileId: f.id, ownerId: p.id });
    const key = `watermarked/${f.id}/1`;
    await s3.send(
      new PutObjectCommand({
        Bucket: 'medvault-derivatives',
        Key: key,
        Body: await buffer(Readable.from([marked]).pipe(enc.stream)),
      }),
    );
    await deliver(
      h,
      'file.processed',
      {
        fileId: f.id,
        generation: 1,
        sha256: f.sha256,
        sha256Verified: true,
        derivatives: [
          { kind: 'watermarked', bucket: 'medvault-derivatives', key, contentType: 'image/png', size: marked.length },
        ],
      },
      'watermark',
    );
    expect(await status(f.id)).toBe('available');
    const l = await h.app.inject({ method: 'POST', url: `/v1/files/${f.id}/links`, headers: p.auth, payload: {} });
    const got = await h.app.inject({ method: 'GET', url: l.json().url, headers: p.auth });
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(marked)).toBe(true);
    expect(got.headers['content-type']).toBe('image/png');
  });

  it('never serves an image without its watermarked rendition, and blocks one the watermark service refused', async () => {
    const p = user('patient');
    const png = () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(1000)]);
    const bare = await uploaded(p, png());
    await makeAvailable(h, bare.id, bare.sha256); // processed without derivatives
    const l = await h.app.inject({ method: 'POST', url: `/v1/files/${bare.id}/links`, headers: p.auth, payload: {} });
    expect((await h.app.inject({ method: 'GET', url: l.json().url, headers: p.auth })).statusCode).toBe(409);
    const bomb = await uploaded(p, png());
    await scan(h, bomb.id, 'clean');
    await deliver(
      h,
      'file.processing_failed',
      { fileId: bomb.id, generation: 1, stage: 'watermark', code: 'IMAGE_TOO_LARGE', reason: 'over the pixel limit' },
      'watermark',
    );
    expect(await status(bomb.id)).toBe('blocked');
  });

  it('blocks a file when processing could not verify its hash', async () => {
    const f = await uploaded(user('patient'), pdf());
    await scan(h, f.id, 'clean');
    await deliver(
      h,
      'file.processed',
      { fileId: f.id, generation: 1, sha256: f.sha256, sha256Verified: false, derivatives: [] },
      'watermark',
    );
    expect(await status(f.id)).toBe('blocked');
  });
});

describe('trash with 30-day retention', () => {
  async function deletedFile() {
    now = new Date();
    const p = user('patient');
    const f = await uploaded(p, pdf());
    await makeAvailable(h, f.id, f.sha256);
    const d = await h.app.inject({ method: 'DELETE', url: `/v1/files/${f.id}`, headers: p.auth });
    expect(d.statusCode, d.body).toBe(200);
    expect(d.json().status).toBe('deleted');
    expect(await exists('medvault-clean', `trash/files/${f.id}`)).toBe(true);
    expect(await exists('medvault-clean', `files/${f.id}`)).toBe(false);
    return { p, f, deletedAt: now };
  }
  const days = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

  it('restores a file on day 29 to its previous status and location', async () => {
    const { p, f, deletedAt } = await deletedFile();
    now = days(deletedAt, 29);
    expect(await purgeDue(h.deps)).toBe(0);
    const r = await h.app.inject({ method: 'POST', url: `/v1/files/${f.id}/restore`, headers: p.auth });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().status).toBe('available');
    expect(await exists('medvault-clean', `files/${f.id}`)).toBe(true);
  });

  it('purges on day 31: object and wrapped key gone, file.purged emitted, restore answers 410', async () => {
    const tap = await openBusTap(['file.purged']);
    try {
      const { p, f, deletedAt } = await deletedFile();
      now = days(deletedAt, 31);
      expect(await purgeDue(h.deps)).toBeGreaterThanOrEqual(1);
      const rec = await h.deps.files.get(f.id);
      expect(rec).toMatchObject({ status: 'purged', wrappedKey: null });
      expect(await exists('medvault-clean', `trash/files/${f.id}`)).toBe(false);
      const r = await h.app.inject({ method: 'POST', url: `/v1/files/${f.id}/restore`, headers: p.auth });
      expect(r.statusCode).toBe(410);
      expect((await h.app.inject({ method: 'GET', url: `/v1/files/${f.id}`, headers: p.auth })).statusCode).toBe(404);
      await h.deps.outbox.flush();
      await tap.waitFor('file.purged', (e) => e.data.fileId === f.id);
    } finally {
      await tap.close();
    }
  });

  it('sends a file restored to quarantine for a fresh scan (new generation)', async () => {
    now = new Date();
    const p = user('patient');
    const f = await uploaded(p, pdf());
    expect((await h.app.inject({ method: 'DELETE', url: `/v1/files/${f.id}`, headers: p.auth })).statusCode).toBe(200);
    await scan(h, f.id, 'clean'); // arrives while in the trash: ignored
    const r = await h.app.inject({ method: 'POST', url: `/v1/files/${f.id}/restore`, headers: p.auth });
    expect(r.json()).toMatchObject({ status: 'quarantined', generation: 2 });
    expect((await h.deps.files.get(f.id))?.outbox.map((e) => e.type)).toContain('file.rescan_requested');
    expect(await exists('medvault-quarantine', `files/${f.id}`)).toBe(true);
  });

  it('refuses restore on day 31 even before the purge job ran', async () => {
    const { p, f, deletedAt } = await deletedFile();
    now = days(deletedAt, 31);
    expect((await h.app.inject({ method: 'POST', url: `/v1/files/${f.id}/restore`, headers: p.auth })).statusCode).toBe(
      410,
    );
  });
});
