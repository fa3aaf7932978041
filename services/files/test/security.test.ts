import { createHash, randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { openBusTap } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signLink } from '../src/domain/links.js';
import {
  adminS3,
  closeAll,
  deliver,
  type Harness,
  harness,
  httpStream,
  listen,
  listKeys,
  makeAvailable,
  multipart,
  type User,
  user,
} from './helpers.js';
import { rawRequest, unterminatedUpload } from './raw-http.js';

/** The pentest findings of issue 14 against the files service, each replayed as an attack. */
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const pdf = (n = 2000) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(n)]);
// Long enough that "at once" (well inside it) has room on a loaded machine.
const IDLE_MS = 3000;
let h: Harness;
let base: string;
beforeAll(async () => {
  h = await harness({ UPLOAD_IDLE_TIMEOUT_MS: String(IDLE_MS) });
  base = await listen(h);
});
afterAll(closeAll);

async function upload(u: User, data: Buffer, opts: Parameters<typeof multipart>[1] = {}) {
  const m = multipart(data, { filename: 'scan.pdf', ...opts });
  return h.app.inject({ method: 'POST', url: '/v1/files', headers: { ...u.auth, ...m.headers }, payload: m.payload });
}
async function available(u: User, data = pdf()) {
  const r = await upload(u, data);
  expect(r.statusCode, r.body).toBe(202);
  await makeAvailable(h, r.json().id, r.json().sha256);
  return r.json() as { id: string; size: number; sha256: string };
}
async function link(u: User, fileId: string, body: Record<string, unknown> = {}) {
  const r = await h.app.inject({ method: 'POST', url: `/v1/files/${fileId}/links`, headers: u.auth, payload: body });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string; url: string };
}
const get = (u: User, url: string, headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'GET', url, headers: { ...u.auth, ...headers } });
async function pendingUploads(): Promise<string[]> {
  const open = await adminS3().send(new ListMultipartUploadsCommand({ Bucket: 'medvault-quarantine' }));
  return (open.Uploads ?? []).map((u) => u.UploadId!);
}
/**
 * Holds every upload after its bytes are stored until `n` uploads got that far, then releases
 * them together: the record-writing steps of racing uploads overlap on every run.
 */
function alignUploads(n: number) {
  const start = h.deps.objects.startUpload.bind(h.deps.objects);
  let arrived = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  return vi.spyOn(h.deps.objects, 'startUpload').mockImplementation((body, loc, meta) => {
    const u = start(body, loc, meta);
    const done = u.done.bind(u);
    u.done = async () => {
      const out = await done();
      if (++arrived === n) release();
      await gate;
      return out;
    };
    return u;
  });
}
const records = (ownerId: string) => h.deps.files.col.countDocuments({ ownerId });

describe('finding 6: a multipart body that never completes', () => {
  it('answers 408 within the idle timeout when the client stays connected but stops sending, keeping nothing', async () => {
    const p = user('patient');
    const keysBefore = await listKeys(adminS3(), 'medvault-quarantine', 'files/');
    const req = unterminatedUpload('/v1/files', p.auth.authorization, 'half a report', 100_000);
    const r = await rawRequest(base, req.head, req.body, { after: 'idle', giveUpMs: 15_000 });
    expect(r.status, r.body).toBe(408);
    expect(JSON.parse(r.body).code).toBe('REQUEST_TIMEOUT');
    expect(r.elapsedMs).toBeLessThan(IDLE_MS + 4000);
    expect(await records(p.id)).toBe(0);
    expect((await listKeys(adminS3(), 'medvault-quarantine', 'files/')).filter((k) => !keysBefore.includes(k))).toEqual(
      [],
    );
  });

  it('answers 400 MALFORMED_MULTIPART at once when the body ends without its closing boundary', async () => {
    const p = user('patient');
    const req = unterminatedUpload('/v1/files', p.auth.authorization, 'a report cut short');
    const r = await rawRequest(base, req.head, req.body, { after: 'idle', giveUpMs: 15_000 });
    expect(r.status, r.body).toBe(400);
    expect(JSON.parse(r.body).code).toBe('MALFORMED_MULTIPART');
    expect(r.elapsedMs).toBeLessThan(3000);
    expect(await records(p.id)).toBe(0);
  });

  it('ends the upload at once when the client leaves in the middle of the file part', async () => {
    const p = user('patient');
    const cleaned = vi.spyOn(h.deps.objects, 'delete');
    try {
      const req = unterminatedUpload('/v1/files', p.auth.authorization, 'a report', 100_000);
      await rawRequest(base, req.head, req.body, { after: 'leave', leaveAfterMs: 200 });
      const left = Date.now();
      // The handler's clean-up ran (it deletes whatever may have been written) well before any idle timeout.
      await expect
        .poll(() => cleaned.mock.calls.some(([loc]) => loc.key.startsWith('files/fil_')), { timeout: IDLE_MS / 2 })
        .toBe(true);
      expect(Date.now() - left).toBeLessThan(IDLE_MS);
      expect(await records(p.id)).toBe(0);
    } finally {
      cleaned.mockRestore();
    }
  });
});

describe('finding 9: identical uploads racing each other', () => {
  it('keeps exactly one record for 20 concurrent identical uploads; the others answer 200 duplicate', async () => {
    const p = user('patient');
    const data = pdf(5000);
    const keysBefore = await listKeys(adminS3(), 'medvault-quarantine', 'files/');
    const pendingBefore = await pendingUploads();
    const aligned = alignUploads(20);
    // Over real sockets, all at once: the requests overlap in the database, not just in the event loop.
    const all = await Promise.all(
      Array.from({ length: 20 }, () => {
        const m = multipart(data, { filename: 'same.pdf' });
        return httpStream(`${base}/v1/files`, {
          method: 'POST',
          headers: { ...p.auth, ...m.headers },
          body: m.payload,
        });
      }),
    );
    aligned.mockRestore();
    const statuses = all.map((r) => r.status).sort();
    expect(statuses, all.map((r) => r.text).join('\n')).toEqual([...Array(19).fill(200), 202]);
    const ids = new Set(all.map((r) => JSON.parse(r.text).id));
    expect(ids.size).toBe(1);
    expect(await h.deps.files.col.countDocuments({ ownerId: p.id, sha256: sha(data) })).toBe(1);
    const [id] = [...ids];
    // Every loser deleted its own object: only the kept record's ciphertext is new in quarantine.
    const fresh = (await listKeys(adminS3(), 'medvault-quarantine', 'files/')).filter((k) => !keysBefore.includes(k));
    expect(fresh).toEqual([`files/${id}`]);
    expect((await pendingUploads()).filter((u) => !pendingBefore.includes(u))).toEqual([]);
  });

  it('gives 10 concurrent uploads of different bytes under one name distinct versions 1..10', async () => {
    const p = user('patient');
    const aligned = alignUploads(10);
    const all = await Promise.all(Array.from({ length: 10 }, () => upload(p, pdf(300), { filename: 'chart.pdf' })));
    aligned.mockRestore();
    for (const r of all) expect(r.statusCode, r.body).toBe(202);
    const versions = (await h.deps.files.col.find({ ownerId: p.id, name: 'chart.pdf' }).toArray()).map(
      (f) => f.version,
    );
    expect(versions.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('accepts the same bytes again once the first copy is deleted (a new record, not a duplicate)', async () => {
    const p = user('patient');
    const data = pdf();
    const first = await upload(p, data);
    expect(first.statusCode).toBe(202);
    const del = await h.app.inject({ method: 'DELETE', url: `/v1/files/${first.json().id}`, headers: p.auth });
    expect(del.statusCode, del.body).toBe(200);
    const again = await upload(p, data);
    expect(again.statusCode, again.body).toBe(202);
    expect(again.json().id).not.toBe(first.json().id);
  });
});

describe('finding 10: the stored link is the authority', () => {
  it('refuses a 1-second link re-signed with a 10-year expiry (410), and a token re-bound to another user (403)', async () => {
    const p = user('patient');
    const f = await available(p);
    const l = await link(p, f.id, { ttlSeconds: 1 });
    const [payload] = l.url.split('/').pop()!.split('.') as [string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const secret = h.deps.config.LINK_SIGNING_SECRET;
    const tenYears = signLink(secret, { ...claims, exp: claims.exp + 10 * 365 * 86_400 });
    await new Promise((r) => setTimeout(r, 1500));
    const late = await get(p, `/v1/links/${tenYears}`);
    expect(late.statusCode, late.body).toBe(410);
    expect(late.json().code).toBe('LINK_EXPIRED');
    const fresh = await link(p, f.id);
    const [payload2] = fresh.url.split('/').pop()!.split('.') as [string];
    const thief = user('patient');
    const rebound = signLink(secret, {
      ...JSON.parse(Buffer.from(payload2, 'base64url').toString()),
      userId: thief.id,
    });
    const stolen = await get(thief, `/v1/links/${rebound}`);
    expect(stolen.statusCode, stolen.body).toBe(403);
  });
});

describe('finding 11: maxDownloads against ranged requests', () => {
  it('refuses the third ranged download of a 2-download link even when no range starts at byte 0', async () => {
    const p = user('patient');
    const data = pdf(50_000);
    const f = await available(p, data);
    const l = await link(p, f.id, { maxDownloads: 2 });
    for (let i = 0; i < 2; i++) {
      const r = await get(p, l.url, { range: 'bytes=1-' });
      expect(r.statusCode, r.body).toBe(206);
      expect(r.rawPayload.equals(data.subarray(1))).toBe(true);
    }
    const third = await get(p, l.url, { range: 'bytes=1-' });
    expect(third.statusCode, third.body).toBe(410);
    expect((await get(p, l.url, { range: 'bytes=100-' })).statusCode).toBe(410);
  });

  it('still lets one download be fetched in several ranges', async () => {
    const p = user('patient');
    const data = pdf(30_000);
    const f = await available(p, data);
    const l = await link(p, f.id, { maxDownloads: 1 });
    const a = await get(p, l.url, { range: 'bytes=0-9999' });
    const b = await get(p, l.url, { range: `bytes=10000-${data.length - 1}` });
    expect([a.statusCode, b.statusCode]).toEqual([206, 206]);
    expect(Buffer.concat([a.rawPayload, b.rawPayload]).equals(data)).toBe(true);
    expect((await get(p, l.url, { range: 'bytes=5-10' })).statusCode).toBe(410);
  });
});

describe('finding 14: bad input is a 4xx', () => {
  it('answers 400 to multipart without a boundary', async () => {
    const p = user('patient');
    const r = await h.app.inject({
      method: 'POST',
      url: '/v1/files',
      headers: { ...p.auth, 'content-type': 'multipart/form-data' },
      payload: 'no boundary here',
    });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().code).toBe('MALFORMED_MULTIPART');
  });

  it('answers 413 to a 10 MB JSON body on a link route', async () => {
    const p = user('patient');
    const f = await available(p);
    const r = await h.app.inject({
      method: 'POST',
      url: `/v1/files/${f.id}/links`,
      headers: { ...p.auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ ttlSeconds: 60, pad: 'x'.repeat(10 * 1024 * 1024) }),
    });
    expect(r.statusCode, r.body).toBe(413);
    expect(r.json().code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('finding 16: who may receive shares and grants', () => {
  it('refuses a share to a patient, an admin, a compliance officer, an unknown id or a deactivated clinician (422), with no file.shared', async () => {
    const tap = await openBusTap(['file.shared']);
    try {
      const p = user('patient');
      const f = await available(p);
      const targets: Record<string, string> = {};
      for (const role of ['patient', 'admin', 'compliance'] as const) {
        const u = user(role);
        await deliver(h, 'user.created', { userId: u.id, role, email: `${role}@x.test`, active: true }, 'gateway');
        targets[role] = u.id;
      }
      targets.unknown = user('clinician').id;
      const gone = user('clinician');
      await deliver(
        h,
        'user.created',
        { userId: gone.id, role: 'clinician', email: 'g@x.test', active: true },
        'gateway',
      );
      await deliver(h, 'user.updated', { userId: gone.id, active: false, changes: ['active'] }, 'gateway');
      targets.deactivated = gone.id;
      for (const [what, userId] of Object.entries(targets)) {
        const r = await h.app.inject({
          method: 'POST',
          url: `/v1/files/${f.id}/shares`,
          headers: p.auth,
          payload: { userId },
        });
        expect(r.statusCode, `${what}: ${r.body}`).toBe(422);
        expect(r.json().code, what).toBe('UNPROCESSABLE');
      }
      expect((await h.deps.files.get(f.id))?.shares).toEqual([]);
      const ok = user('clinician');
      await deliver(
        h,
        'user.created',
        { userId: ok.id, role: 'clinician', email: 'ok@x.test', active: true },
        'gateway',
      );
      const s = await h.app.inject({
        method: 'POST',
        url: `/v1/files/${f.id}/shares`,
        headers: p.auth,
        payload: { userId: ok.id },
      });
      expect(s.statusCode, s.body).toBe(201);
      await h.deps.outbox.flush();
      await tap.waitFor('file.shared', (e) => e.data.fileId === f.id && e.data.sharedWith === ok.id);
      const shared = (await tap.events())
        .map((e) => e.data as { fileId?: string; sharedWith?: string })
        .filter((d) => d.fileId === f.id);
      expect(shared.map((d) => d.sharedWith)).toEqual([ok.id]);
    } finally {
      await tap.close();
    }
  });

  it('refuses an emergency grant for an unknown user id or a non-patient (422), and keeps no grant', async () => {
    const doctor = user('clinician');
    const admin = user('admin');
    await deliver(h, 'user.created', { userId: admin.id, role: 'admin', email: 'a@x.test', active: true }, 'gateway');
    for (const patientId of [user('patient').id, admin.id]) {
      const r = await h.app.inject({
        method: 'POST',
        url: '/v1/emergency-access',
        headers: doctor.auth,
        payload: { patientId, reason: 'Unconscious patient in the ER' },
      });
      expect(r.statusCode, r.body).toBe(422);
      expect(r.json().code).toBe('UNPROCESSABLE');
    }
    expect(await h.deps.grants.col.countDocuments({ userId: doctor.id })).toBe(0);
  });
});
