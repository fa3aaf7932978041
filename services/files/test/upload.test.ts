import { createHash } from 'node:crypto';
import http from 'node:http';
import { ListMultipartUploadsCommand, ListPartsCommand } from '@aws-sdk/client-s3';
import { eventually, gatewayHeaders, openBusTap } from '@medvault/common/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { adminS3, closeAll, deliver, harness, listen, listKeys, makeAvailable, multipart, user } from './helpers.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
afterAll(closeAll);

async function upload(
  h: Awaited<ReturnType<typeof harness>>,
  u: ReturnType<typeof user>,
  data: Buffer,
  opts: Parameters<typeof multipart>[1] = {},
) {
  const m = multipart(data, opts);
  return h.app.inject({ method: 'POST', url: '/v1/files', headers: { ...u.auth, ...m.headers }, payload: m.payload });
}

async function download(
  h: Awaited<ReturnType<typeof harness>>,
  u: ReturnType<typeof user>,
  fileId: string,
  headers: Record<string, string> = {},
) {
  const l = await h.app.inject({ method: 'POST', url: `/v1/files/${fileId}/links`, headers: u.auth, payload: {} });
  expect(l.statusCode, l.body).toBe(201);
  return h.app.inject({ method: 'GET', url: l.json().url, headers: { ...u.auth, ...headers } });
}

/** Bytes stored so far in the parts of an unfinished multipart upload (0 once it is gone). */
async function storedPartBytes(uploadId: string): Promise<number> {
  const open = await adminS3().send(new ListMultipartUploadsCommand({ Bucket: 'medvault-quarantine' }));
  const u = open.Uploads?.find((x) => x.UploadId === uploadId);
  if (!u) return 0;
  const r = await adminS3().send(
    new ListPartsCommand({ Bucket: 'medvault-quarantine', Key: u.Key!, UploadId: uploadId }),
  );
  return (r.Parts ?? []).reduce((n, p) => n + (p.Size ?? 0), 0);
}

async function pendingUploads(): Promise<string[]> {
  const open = await adminS3().send(new ListMultipartUploadsCommand({ Bucket: 'medvault-quarantine' }));
  return (open.Uploads ?? []).map((u) => u.UploadId!);
}

describe('uploading a file', () => {
  it('answers 202 quarantined with the sniffed type and hash, and round-trips the bytes once available', async () => {
    const h = await harness();
    const patient = user('patient');
    const data = Buffer.from('Blood pressure 120/80\nHeart rate 61\n');
    const res = await upload(h, patient, data, { filename: 'vitals.txt', fields: { description: 'morning reading' } });
    expect(res.statusCode, res.body).toBe(202);
    const f = res.json();
    expect(f).toMatchObject({
      status: 'quarantined',
      name: 'vitals.txt',
      size: data.length,
      sha256: sha(data),
      contentType: 'text/plain',
      ownerId: patient.id,
      patientId: patient.id,
      uploadedBy: patient.id,
      version: 1,
    });
    const early = await download(h, patient, f.id);
    expect(early.statusCode, early.body).toBe(409);
    await makeAvailable(h, f.id, f.sha256);
    const got = await download(h, patient, f.id);
    expect(got.statusCode, got.body).toBe(200);
    expect(got.rawPayload.equals(data)).toBe(true);
    expect(got.headers['repr-digest']).toBe(`sha-256=:${createHash('sha256').update(data).digest('base64')}:`);
    expect(got.headers['accept-ranges']).toBe('bytes');
    expect(Number(got.headers['content-length'])).toBe(data.length);
  });

  it('round-trips an empty file', async () => {
    const h = await harness();
    const patient = user('patient');
    const res = await upload(h, patient, Buffer.alloc(0), { filename: 'empty.txt' });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ size: 0, sha256: sha(Buffer.alloc(0)) });
    await makeAvailable(h, res.json().id, res.json().sha256);
    const got = await download(h, patient, res.json().id);
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.length).toBe(0);
  });

  it('publishes file.uploaded through the outbox exactly once', async () => {
    const h = await harness();
    const tap = await openBusTap(['file.uploaded']);
    try {
      const patient = user('patient');
      const res = await upload(h, patient, Buffer.from('%PDF-1.4\nhello'), { filename: 'a.pdf' });
      expect(res.statusCode).toBe(202);
      await h.deps.outbox.flush();
      const e = await tap.waitFor('file.uploaded', (x) => x.data.fileId === res.json().id);
      expect(e.data).toMatchObject({
        ownerId: patient.id,
        uploadedBy: patient.id,
        contentType: 'application/pdf',
        bucket: 'medvault-quarantine',
        key: `files/${res.json().id}`,
        generation: 1,
      });
      await h.deps.outbox.flush();
      const again = (await tap.events()).filter(
        (x) => x.type === 'file.uploaded' && (x.data as { fileId?: string }).fileId === res.json().id,
      );
      expect(again).toHaveLength(1);
      expect((await h.deps.files.get(res.json().id))?.outbox).toEqual([]);
    } finally {
      await tap.close();
    }
  });

  it('refuses a type outside the allow-list with 415 whatever the client claims, leaving nothing behind', async () => {
    const h = await harness();
    const patient = user('patient');
    const res = await upload(h, patient, Buffer.concat([Buffer.from('MZ'), Buffer.alloc(3000, 1)]), {
      filename: 'x.png',
    });
    expect(res.statusCode).toBe(415);
    expect(await h.deps.files.col.countDocuments({})).toBe(0);
  });

  it('refuses an upload past MAX_UPLOAD_BYTES with 413 and keeps no object or record', async () => {
    const h = await harness({ MAX_UPLOAD_BYTES: '100000' });
    const patient = user('patient');
    const before = await listKeys(adminS3(), 'medvault-quarantine', 'files/');
    const res = await upload(h, patient, Buffer.alloc(300_000, 'a'), { filename: 'big.txt' });
    expect(res.statusCode, res.body).toBe(413);
    expect(await h.deps.files.col.countDocuments({})).toBe(0);
    expect((await listKeys(adminS3(), 'medvault-quarantine', 'files/')).filter((k) => !before.includes(k))).toEqual([]);
  });

  it('answers a re-upload of the same bytes with 200 duplicate:true and stores no second object', async () => {
    const h = await harness();
    const patient = user('patient');
    const data = Buffer.from(`%PDF-1.4\n${Math.random()}`);
    const first = await upload(h, patient, data, { filename: 'a.pdf' });
    const second = await upload(h, patient, data, { filename: 'renamed.pdf' });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ id: first.json().id, duplicate: true });
    expect(await h.deps.files.col.countDocuments({})).toBe(1);
    const keys = await listKeys(adminS3(), 'medvault-quarantine', 'files/');
    expect(keys).toContain(`files/${first.json().id}`);
    expect(keys.some((k) => k.includes(second.json().id) && k !== `files/${first.json().id}`)).toBe(false);
    expect(await h.deps.files.col.countDocuments({ sha256: sha(data) })).toBe(1);
  });

  it('makes the same name with different bytes a new version, not an overwrite', async () => {
    const h = await harness();
    const patient = user('patient');
    const a = await upload(h, patient, Buffer.from('version one'), { filename: 'notes.txt' });
    const b = await upload(h, patient, Buffer.from('version two'), { filename: 'notes.txt' });
    expect(b.statusCode).toBe(202);
    expect(b.json().id).not.toBe(a.json().id);
    expect([a.json().version, b.json().version]).toEqual([1, 2]);
  });

  it('stores hostile file names safely or refuses them with 400', async () => {
    const h = await harness();
    const patient = user('patient');
    const cases: [string, string | null][] = [
      ['../../etc/passwd', 'passwd'],
      ['a\u202Egnp.exe', 'agnp.exe'],
      [`${'n'.repeat(10_000)}.txt`, null],
      ['bad\u0000name.txt', 'refused'],
    ];
    for (const [name, expected] of cases) {
      const res = await upload(h, patient, Buffer.from(`content for ${name.length} ${Math.random()}`), {
        filename: name,
      });
      if (expected === 'refused') {
        expect(res.statusCode, name).toBe(400);
        continue;
      }
      expect(res.statusCode, res.body).toBe(202);
      const stored = res.json().name as string;
      // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
      expect(stored).not.toMatch(/[/\\\u0000-\u001f\u202a-\u202e\u2066-\u2069]/);
      expect([...stored].length).toBeLessThanOrEqual(255);
      if (expected) expect(stored).toBe(expected);
    }
    expect((await h.deps.files.col.find({}).toArray()).some((f) => f.name.includes('\u0000'))).toBe(false);
  });

  it('lets a clinician upload only for a patient in care, and refuses fields after the file', async () => {
    const h = await harness();
    const doc = user('clinician');
    const patient = user('patient');
    const data = Buffer.from(`scan notes ${Math.random()}`);
    expect((await upload(h, doc, data, { fields: { patientId: patient.id } })).statusCode).toBe(403);
    await deliver(h, 'care.relationship_started', { clinicianId: doc.id, patientId: patient.id }, 'appointments');
    const ok = await upload(h, doc, data, { fields: { patientId: patient.id } });
    expect(ok.statusCode, ok.body).toBe(202);
    expect(ok.json()).toMatchObject({ ownerId: patient.id, patientId: patient.id, uploadedBy: doc.id });
    const late = await upload(h, doc, Buffer.from(`other ${Math.random()}`), {
      fieldsAfter: { patientId: patient.id },
    });
    expect(late.statusCode).toBe(403); // a clinician without patientId before the file is refused up front
    const patientLate = await upload(h, patient, Buffer.from(`mine ${Math.random()}`), {
      fieldsAfter: { description: 'x' },
    });
    expect(patientLate.statusCode).toBe(400);
    expect(await h.deps.files.col.countDocuments({})).toBe(1);
  });

  it('aborts the S3 multipart upload it had started and keeps no object or record when the client disconnects mid-upload', async () => {
    const h = await harness({ UPLOAD_PART_SIZE_MIB: '5' });
    const base = await listen(h);
    const patient = user('patient');
    const before = await listKeys(adminS3(), 'medvault-quarantine', 'files/');
    const pendingBefore = await pendingUploads();
    const boundary = 'xyzabort';
    const req = http.request(`${base}/v1/files`, {
      method: 'POST',
      headers: {
        ...patient.auth,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        ...gatewayHeaders('files', { method: 'POST', url: `${base}/v1/files`, headers: patient.auth }),
      },
    });
    req.on('error', () => undefined);
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.7\n`);
    for (let i = 0; i < 8; i++) req.write(Buffer.alloc(1024 * 1024, i));
    // Proof that there is something to abort: the first 5 MiB part started a multipart upload.
    let started: string[] = [];
    await eventually(
      'the upload to reach S3 as a multipart upload',
      async () => {
        started = (await pendingUploads()).filter((id) => !pendingBefore.includes(id));
        return started.length === 1;
      },
      { timeoutMs: 20_000 },
    );
    // ...and bytes of it are stored in S3 (a whole 5 MiB part), before the client leaves.
    let partBytes = 0;
    await eventually(
      'a first part of the upload to be stored in S3',
      async () => {
        partBytes = await storedPartBytes(started[0]!);
        return partBytes >= 5 * 1024 * 1024;
      },
      { timeoutMs: 20_000 },
    );
    expect(partBytes).toBeGreaterThanOrEqual(5 * 1024 * 1024);
    req.destroy();
    await eventually(
      'the aborted upload to be cleaned up',
      async () => {
        const keys = (await listKeys(adminS3(), 'medvault-quarantine', 'files/')).filter((k) => !before.includes(k));
        const pending = await pendingUploads();
        return keys.length === 0 && !pending.includes(started[0]!) && (await h.deps.files.col.countDocuments({})) === 0;
      },
      { timeoutMs: 10_000 },
    );
    expect(await storedPartBytes(started[0]!)).toBe(0);
  });

  it('refuses uploads by admins and compliance, and unauthenticated ones', async () => {
    const h = await harness();
    for (const role of ['admin', 'compliance'] as const)
      expect((await upload(h, user(role), Buffer.from('x'))).statusCode).toBe(403);
    const m = multipart(Buffer.from('x'));
    expect(
      (await h.app.inject({ method: 'POST', url: '/v1/files', headers: m.headers, payload: m.payload })).statusCode,
    ).toBe(401);
  });
});
