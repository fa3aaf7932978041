import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createEncryptStream } from '@medvault/common/crypto';
import type { EventData } from '@medvault/common/events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ObjectLocation } from '../src/domain/file.js';
import { adminS3, closeAll, deliver, type Harness, harness, multipart, scan, type User, user } from './helpers.js';

// Issue 18: file.processed carries each derivative's SHA-256 (hashed by the watermark as it wrote
// it), so files records it without reading the derivative back; older events are still measured.
// Reads are counted on the files service's own object store adapter (real S3 underneath).

const s3 = adminS3();
let h: Harness;
beforeAll(async () => {
  h = await harness();
  h.deps.outbox.kick = () => undefined;
});
afterAll(closeAll);

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function cleanImage(p: User) {
  const m = multipart(Buffer.concat([PNG, randomBytes(3000)]), { filename: 'x.png' });
  const res = await h.app.inject({
    method: 'POST',
    url: '/v1/files',
    headers: { ...p.auth, ...m.headers },
    payload: m.payload,
  });
  expect(res.statusCode, res.body).toBe(202);
  const f = res.json() as { id: string; sha256: string };
  await scan(h, f.id, 'clean');
  return f;
}

/** A rendition stored as the watermark stores one (encrypted, same context as the original). */
async function storeRendition(
  f: { id: string },
  p: User,
  bytes: Buffer,
  key = `derivatives/${f.id}/g1/watermarked.png`,
) {
  const enc = await createEncryptStream(h.deps.keys, { fileId: f.id, ownerId: p.id });
  await s3.send(
    new PutObjectCommand({
      Bucket: 'medvault-derivatives',
      Key: key,
      Body: await buffer(Readable.from([bytes]).pipe(enc.stream)),
    }),
  );
  return key;
}

/** Every read of `key` through the files service's object store while `work` runs. */
async function readsOf(key: string, work: () => Promise<void>): Promise<number> {
  const o = h.deps.objects;
  const spies = [vi.spyOn(o, 'getRange'), vi.spyOn(o, 'readRange'), vi.spyOn(o, 'readHeader')];
  try {
    await work();
    return spies.flatMap((s) => s.mock.calls).filter((c) => (c[0] as ObjectLocation).key === key).length;
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

function processed(f: { id: string; sha256: string }, derivative: EventData<'file.processed'>['derivatives'][number]) {
  return deliver(
    h,
    'file.processed',
    { fileId: f.id, generation: 1, sha256: f.sha256, sha256Verified: true, derivatives: [derivative] },
    'watermark',
  );
}

async function download(p: User, id: string) {
  const l = await h.app.inject({ method: 'POST', url: `/v1/files/${id}/links`, headers: p.auth, payload: {} });
  return h.app.inject({ method: 'GET', url: l.json().url, headers: p.auth }).then(
    (r) => ({ statusCode: r.statusCode, body: r.rawPayload, digest: r.headers['repr-digest'], aborted: false }),
    () => ({ statusCode: 0, body: Buffer.alloc(0), digest: undefined, aborted: true }),
  );
}

/** A clean image of a new patient, its rendition stored, and the event's entry for it (no hash). */
async function renditionStored() {
  const p = user('patient');
  const f = await cleanImage(p);
  const marked = Buffer.concat([PNG, Buffer.from('WATERMARKED'), randomBytes(700)]);
  const key = await storeRendition(f, p, marked);
  const der = {
    kind: 'watermarked',
    bucket: 'medvault-derivatives',
    key,
    contentType: 'image/png',
    size: marked.length,
  };
  return { p, f, marked, der };
}

const b64 = (hex: string) => `sha-256=:${Buffer.from(hex, 'hex').toString('base64')}:`;

describe("a derivative's hash from file.processed", () => {
  it('is recorded without reading the derivative, and downloads are verified against it', async () => {
    const { p, f, marked, der } = await renditionStored();
    const reads = await readsOf(der.key, () => processed(f, { ...der, sha256: sha(marked) }));
    expect(reads).toBe(0);
    const rec = await h.deps.files.get(f.id);
    expect(rec?.status).toBe('available');
    expect(rec?.derivatives).toEqual([{ ...der, sha256: sha(marked) }]);
    const got = await download(p, f.id);
    expect(got.statusCode).toBe(200);
    expect(got.body.equals(marked)).toBe(true);
    expect(got.digest).toBe(b64(sha(marked)));
  });

  it('is measured by reading the derivative once when an older event does not carry it', async () => {
    const { p, f, marked, der } = await renditionStored();
    expect(await readsOf(der.key, () => processed(f, der))).toBe(1);
    expect((await h.deps.files.get(f.id))?.derivatives).toEqual([{ ...der, sha256: sha(marked) }]);
    expect((await download(p, f.id)).body.equals(marked)).toBe(true);
  });

  it('is enforced: a derivative whose bytes differ from the announced hash is never served whole, and blocks the file', async () => {
    const p = user('patient');
    const f = await cleanImage(p);
    const announced = Buffer.concat([PNG, randomBytes(1000)]);
    const stored = Buffer.concat([PNG, randomBytes(1000)]); // same size, other bytes, validly encrypted
    const key = await storeRendition(f, p, stored);
    await processed(f, {
      kind: 'watermarked',
      bucket: 'medvault-derivatives',
      key,
      contentType: 'image/png',
      size: announced.length,
      sha256: sha(announced),
    });
    const got = await download(p, f.id);
    // Cut before completion (inject rejects) or refused before the status line: never a 200 with all of it.
    expect(got.statusCode === 200 && got.body.equals(stored)).toBe(false);
    await expect.poll(async () => (await h.deps.files.get(f.id))?.status).toBe('blocked');
  });
});
