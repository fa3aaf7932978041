import { randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { decodeHeader, TAG_LENGTH } from '@medvault/common/crypto';
import { openBusTap } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLink } from '../src/domain/links.js';
import {
  adminS3,
  closeAll,
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
beforeAll(async () => {
  h = await harness();
});
afterAll(closeAll);

/** Uploads `data` (PDF-signed so it sniffs as allowed) and returns the record. */
async function uploaded(u: User, data: Buffer) {
  const m = multipart(data, { filename: 'scan.pdf' });
  const res = await h.app.inject({
    method: 'POST',
    url: '/v1/files',
    headers: { ...u.auth, ...m.headers },
    payload: m.payload,
  });
  expect(res.statusCode, res.body).toBe(202);
  return res.json() as { id: string; sha256: string; size: number };
}
const pdf = (n: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(n)]);

async function link(u: User, fileId: string, body: Record<string, unknown> = {}) {
  const res = await h.app.inject({ method: 'POST', url: `/v1/files/${fileId}/links`, headers: u.auth, payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { url: string; expiresAt: string; id: string };
}
const get = (u: User, url: string, headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'GET', url, headers: { ...u.auth, ...headers } });

async function storedObject(fileId: string) {
  const f = (await h.deps.files.get(fileId))!;
  const r = await s3.send(new GetObjectCommand({ Bucket: f.location.bucket, Key: f.location.key }));
  return { loc: f.location, bytes: Buffer.from(await r.Body!.transformToByteArray()) };
}
async function overwrite(loc: { bucket: string; key: string }, bytes: Buffer) {
  await s3.send(new PutObjectCommand({ Bucket: loc.bucket, Key: loc.key, Body: bytes }));
}

describe('downloading through signed links', () => {
  it('serves byte ranges (206) decrypting only the needed segments, and 416 past the end', async () => {
    const p = user('patient');
    const data = pdf(200_000);
    const f = await uploaded(p, data);
    await makeAvailable(h, f.id, f.sha256);
    const l = await link(p, f.id);
    for (const [a, b] of [
      [0, 0],
      [65_530, 131_080],
      [data.length - 10, data.length - 1],
    ] as const) {
      const r = await get(p, l.url, { range: `bytes=${a}-${b}` });
      expect(r.statusCode).toBe(206);
      expect(r.headers['content-range']).toBe(`bytes ${a}-${b}/${data.length}`);
      expect(r.rawPayload.equals(data.subarray(a, b + 1))).toBe(true);
    }
    const suffix = await get(p, l.url, { range: 'bytes=-5' });
    expect(suffix.rawPayload.equals(data.subarray(data.length - 5))).toBe(true);
    const bad = await get(p, l.url, { range: `bytes=${data.length}-` });
    expect(bad.statusCode).toBe(416);
    expect(bad.headers['content-range']).toBe(`bytes */${data.length}`);
  });

  it('refuses a foreign caller (403), a tampered token (403), an expired link (410) and an exhausted one (410)', async () => {
    const p = user('patient');
    const f = await uploaded(p, pdf(1000));
    await makeAvailable(h, f.id, f.sha256);
    const l = await link(p, f.id, { maxDownloads: 1 });
    expect((await get(user('patient'), l.url)).statusCode).toBe(403);
    const token = l.url.split('/').pop()!;
    const [payload, sig] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 86_400 })).toString('base64url');
    expect((await get(p, `/v1/links/${forged}.${sig}`)).statusCode).toBe(403);
    expect((await get(p, `/v1/links/${payload}.${sig.slice(0, -3)}xyz`)).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'HEAD', url: l.url, headers: p.auth })).statusCode).toBe(404);
    expect((await get(p, l.url)).statusCode).toBe(200);
    const exhausted = await get(p, l.url);
    expect(exhausted.statusCode).toBe(410);
    const expired = signLink(h.deps.config.LINK_SIGNING_SECRET, { ...claims, exp: Math.floor(Date.now() / 1000) - 1 });
    expect((await get(p, `/v1/links/${expired}`)).statusCode).toBe(410);
    expect((await h.deps.links.get(l.id))?.downloads).toBe(1);
  });

  it('never serves a file that is not available: quarantined, clean, infected, scan_failed, deleted', async () => {
    const p = user('patient');
    const ids: Record<string, string> = {};
    for (const s of ['quarantined', 'clean', 'infected', 'scan_failed', 'deleted'])
      ids[s] = (await uploaded(p, pdf(500))).id;
    await scan(h, ids.clean!, 'clean');
    await scan(h, ids.infected!, 'infected');
    await scan(h, ids.scan_failed!, 'error', 1, { final: true, error: 'clamd timeout' });
    const del = await h.app.inject({ method: 'DELETE', url: `/v1/files/${ids.deleted}`, headers: p.auth });
    expect(del.statusCode, del.body).toBe(200);
    const linkToQuarantined = await link(p, ids.quarantined!);
    for (const [status, id] of Object.entries(ids)) {
      const f = await h.deps.files.get(id);
      expect(f?.status, status).toBe(status);
      if (status === 'quarantined') {
        expect((await get(p, linkToQuarantined.url)).statusCode).toBe(409);
        continue;
      }
      const l = await h.app.inject({ method: 'POST', url: `/v1/files/${id}/links`, headers: p.auth, payload: {} });
      if (l.statusCode === 201) expect((await get(p, l.json().url)).statusCode, status).toBe(409);
      else expect(l.statusCode, status).toBe(409);
    }
  });

  it('stores only ciphertext: no 64-byte window of the plaintext appears in the object', async () => {
    const p = user('patient');
    const data = Buffer.from(`%PDF-1.7\n${'Patient: Jane Doe, diagnosis: confidential. '.repeat(5000)}`);
    const f = await uploaded(p, data);
    const { bytes } = await storedObject(f.id);
    for (let i = 0; i + 64 <= data.length; i += 61) {
      if (bytes.includes(data.subarray(i, i + 64)))
        throw new Error(`plaintext window at ${i} found in the stored object`);
    }
    expect(bytes.subarray(0, 4).toString()).toBe('MVE1');
  });

  describe('a tampered stored object', () => {
    async function tamperedDownload(mutate: (bytes: Buffer, headerLen: number, sealed: number) => Buffer) {
      const p = user('patient');
      const data = pdf(5 * 65_536 + 1234);
      const f = await uploaded(p, data);
      await makeAvailable(h, f.id, f.sha256);
      const { loc, bytes } = await storedObject(f.id);
      const header = decodeHeader(bytes);
      await overwrite(loc, mutate(bytes, header.raw.length, header.segmentSize + TAG_LENGTH));
      const l = await link(p, f.id);
      // A failure after the status line destroys the response: inject rejects, a client sees a cut body.
      const res = await get(p, l.url).then(
        (r) => ({ ...r, aborted: undefined as string | undefined }),
        (e: Error) => ({ statusCode: 0, aborted: e.message, rawPayload: Buffer.alloc(0), json: () => ({}) }),
      );
      return { res, data, fileId: f.id };
    }
    type Outcome = { statusCode: number; rawPayload: Buffer; aborted?: string; json: () => { code?: string } };
    /**
     * Caught by the checks made before the status line (encryption context, object size): a
     * 500 INTEGRITY_FAILED problem carrying no plaintext, and the file is blocked.
     */
    async function refusedAndBlocked(res: Outcome, data: Buffer, fileId: string) {
      expect(res.aborted).toBeUndefined();
      expect(res.statusCode).toBe(500);
      expect(res.json().code).toBe('INTEGRITY_FAILED');
      expect(res.rawPayload.includes(data.subarray(0, 64))).toBe(false);
      await expect.poll(async () => (await h.deps.files.get(fileId))?.status).toBe('blocked');
    }
    /**
     * Caught while streaming (a segment fails authentication). Which of two exact outcomes
     * depends on how the stored object's bytes arrive in chunks: the failing segment is met
     * before the status line (exactly the refusal above), or after (the response is cut:
     * destroyed before completion, never a complete body). The file is blocked either way.
     */
    async function refusedOrCutAndBlocked(res: Outcome, data: Buffer, fileId: string) {
      if (res.aborted === undefined) return refusedAndBlocked(res, data, fileId);
      expect(res.statusCode).toBe(0);
      expect(res.aborted).toBe('response destroyed before completion');
      await expect.poll(async () => (await h.deps.files.get(fileId))?.status).toBe('blocked');
    }

    it('with one flipped byte fails without releasing bad bytes, and blocks the file', async () => {
      const tap = await openBusTap(['file.integrity_failed']);
      try {
        const { res, data, fileId } = await tamperedDownload((b, hl, s) => {
          const c = Buffer.from(b);
          c[hl + 2 * s + 100]! ^= 1;
          return c;
        });
        await refusedOrCutAndBlocked(res, data, fileId);
        await h.deps.outbox.flush();
        await tap.waitFor('file.integrity_failed', (e) => e.data.fileId === fileId);
      } finally {
        await tap.close();
      }
    });

    it('with its last segment dropped fails', async () => {
      const { res, data, fileId } = await tamperedDownload((b, hl, s) => b.subarray(0, hl + 5 * s));
      await refusedAndBlocked(res, data, fileId);
    });

    it('with two segments swapped fails', async () => {
      const { res, data, fileId } = await tamperedDownload((b, hl, s) =>
        Buffer.concat([
          b.subarray(0, hl + s),
          b.subarray(hl + 2 * s, hl + 3 * s),
          b.subarray(hl + s, hl + 2 * s),
          b.subarray(hl + 3 * s),
        ]),
      );
      await refusedOrCutAndBlocked(res, data, fileId);
    });

    it('replaced by another file’s ciphertext (wrong encryption context) is refused', async () => {
      const p = user('patient');
      const other = await uploaded(p, pdf(3000));
      const { bytes: otherBytes } = await storedObject(other.id);
      const { res, data, fileId } = await tamperedDownload(() => otherBytes);
      await refusedAndBlocked(res, data, fileId);
    });
  });

  it('emits file.link_created and file.downloaded, and counts downloads', async () => {
    const tap = await openBusTap(['file.link_created', 'file.downloaded']);
    try {
      const p = user('patient');
      const f = await uploaded(p, pdf(100));
      await makeAvailable(h, f.id, f.sha256);
      const l = await link(p, f.id);
      expect((await get(p, l.url)).statusCode).toBe(200);
      await h.deps.outbox.flush();
      await tap.waitFor('file.link_created', (e) => e.data.fileId === f.id);
      const d = await tap.waitFor('file.downloaded', (e) => e.data.fileId === f.id);
      expect(d.data).toMatchObject({ linkId: l.id, bytes: f.size, rendition: 'original' });
      expect((await h.deps.files.get(f.id))?.downloads).toBe(1);
    } finally {
      await tap.close();
    }
  });
});
