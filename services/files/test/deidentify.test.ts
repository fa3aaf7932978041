import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { EventHandler } from '@medvault/common/bus';
import { createEncryptStream } from '@medvault/common/crypto';
import { createEvent, type EventData } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import { openBusTap, repoRoot } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminS3, closeAll, deliver, type Harness, harness, multipart, scan, type User, user } from './helpers.js';

// pydicom's CT sample (scripts/dicom-samples.sh); the header index arrives with file.processed.
const CT = readFileSync(join(repoRoot, '.local/data/dicom/CT_small.dcm'));
const QUARANTINE = process.env.BUCKET_QUARANTINE ?? 'medvault-quarantine';
const s3 = adminS3();
let h: Harness;

beforeAll(async () => {
  h = await harness();
});
afterAll(closeAll);

async function upload(u: User, data: Buffer, fields: Record<string, string> = {}) {
  const m = multipart(data, { filename: 'Doe_Jane_CT.dcm', fields });
  const res = await h.app.inject({
    method: 'POST',
    url: '/v1/files',
    headers: { ...u.auth, ...m.headers },
    payload: m.payload,
  });
  expect(res.statusCode, res.body).toBe(202);
  return res.json() as { id: string; sha256: string; size: number; contentType: string };
}

/** An uploaded DICOM made available with its header indexed, as the pipeline would. */
async function availableDicom(owner: User) {
  const f = await upload(owner, CT);
  expect(f.contentType).toBe('application/dicom');
  await scan(h, f.id, 'clean');
  await deliver(
    h,
    'file.processed',
    {
      fileId: f.id,
      generation: 1,
      sha256: f.sha256,
      sha256Verified: true,
      derivatives: [],
      dicom: { modality: 'CT', rows: 128, columns: 128, frames: 1 },
    },
    'watermark',
  );
  expect((await h.deps.files.get(f.id))?.status).toBe('available');
  return f;
}

const deidentify = (u: User, id: string) =>
  h.app.inject({ method: 'POST', url: `/v1/files/${id}/deidentify`, headers: u.auth });

/** What the watermark worker does for a request: the copy, encrypted under the new id and owner, in quarantine. */
async function workerWrites(req: EventData<'file.deidentify_requested'>, copy: Buffer) {
  const key = `files/${req.fileId}`;
  const enc = await createEncryptStream(h.deps.keys, { fileId: req.fileId, ownerId: req.ownerId });
  await s3.send(
    new PutObjectCommand({ Bucket: QUARANTINE, Key: key, Body: await buffer(Readable.from([copy]).pipe(enc.stream)) }),
  );
  const sha256 = (await import('node:crypto')).createHash('sha256').update(copy).digest('hex');
  return createEvent(
    'file.deidentified',
    {
      fileId: req.fileId,
      sourceFileId: req.sourceFileId,
      ownerId: req.ownerId,
      requestedBy: req.requestedBy,
      sha256,
      size: copy.length,
      bucket: QUARANTINE,
      key,
      profile: 'basic',
      edition: '2021b',
    },
    { correlationId: newId('request'), source: 'watermark', actor: { userId: req.requestedBy, role: 'patient' } },
  );
}

describe('POST /v1/files/:id/deidentify', () => {
  it('accepts a readable available DICOM (202 {id}) and asks the worker for the copy, ids only, original untouched', async () => {
    const tap = await openBusTap(['file.deidentify_requested']);
    try {
      const p = user('patient');
      const f = await availableDicom(p);
      const before = await h.deps.files.get(f.id);
      const res = await deidentify(p, f.id);
      expect(res.statusCode, res.body).toBe(202);
      const { id } = res.json() as { id: string };
      expect(id).toMatch(/^fil_/);
      expect(id).not.toBe(f.id);
      await h.deps.outbox.flush();
      const e = await tap.waitFor('file.deidentify_requested', (x) => x.data.fileId === id);
      expect(e.data).toEqual({
        fileId: id,
        sourceFileId: f.id,
        sourceOwnerId: p.id,
        ownerId: p.id,
        requestedBy: p.id,
        bucket: before!.location.bucket,
        key: before!.location.key,
        sha256: f.sha256,
        generation: 1,
      });
      expect(e.actor?.userId).toBe(p.id);
      expect(JSON.stringify(e)).not.toMatch(/Doe|Jane|CompressedSamples/);
      const after = await h.deps.files.get(f.id);
      for (const k of ['status', 'sha256', 'size', 'location', 'name', 'ownerId', 'generation', 'wrappedKey'] as const)
        expect(after?.[k], k).toEqual(before?.[k]);
    } finally {
      await tap.close();
    }
  });

  it('refuses who may not read the source (403), admins, non-DICOM (422) and files not yet available (409)', async () => {
    const p = user('patient');
    const f = await availableDicom(p);
    expect((await deidentify(user('clinician'), f.id)).statusCode).toBe(403);
    expect((await deidentify(user('patient'), f.id)).statusCode).toBe(403);
    expect((await deidentify(user('admin'), f.id)).statusCode).toBe(403);
    expect((await deidentify(user('compliance'), f.id)).statusCode).toBe(403);
    const pending = await upload(p, Buffer.concat([CT, Buffer.from('another instance')]));
    const r409 = await deidentify(p, pending.id);
    expect(r409.statusCode, r409.body).toBe(409);
    const pdf = await upload(p, Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(200, 1)]));
    await scan(h, pdf.id, 'clean');
    await deliver(
      h,
      'file.processed',
      { fileId: pdf.id, generation: 1, sha256: pdf.sha256, sha256Verified: true, derivatives: [] },
      'watermark',
    );
    const r422 = await deidentify(p, pdf.id);
    expect(r422.statusCode, r422.body).toBe(422);
    expect((await deidentify(p, newId('file'))).statusCode).toBe(404);
  });
});

describe('file.deidentified', () => {
  it('records the copy as a new quarantined file of the requester, named without the source name, sent to the scanner', async () => {
    const tap = await openBusTap(['file.uploaded']);
    try {
      const patient = user('patient');
      const f = await availableDicom(patient);
      const res = await deidentify(patient, f.id);
      const id = (res.json() as { id: string }).id;
      const req = {
        fileId: id,
        sourceFileId: f.id,
        sourceOwnerId: patient.id,
        ownerId: patient.id,
        requestedBy: patient.id,
        bucket: 'x',
        key: 'y',
        sha256: f.sha256,
        generation: 1,
      };
      const e = await workerWrites(req, Buffer.concat([CT.subarray(0, 132), Buffer.from('de-identified body')]));
      const handle = h.handlers['file.deidentified'] as EventHandler<'file.deidentified'>;
      await handle(e, { logger: h.deps.logger, receiveCount: 1 });
      await handle(e, { logger: h.deps.logger, receiveCount: 2 }); // redelivery: nothing more
      const rec = await h.deps.files.get(id);
      expect(rec).toMatchObject({
        status: 'quarantined',
        ownerId: patient.id,
        patientId: patient.id,
        uploadedBy: patient.id,
        name: `deidentified-${id}.dcm`,
        contentType: 'application/dicom',
        sha256: e.data.sha256,
        size: e.data.size,
        location: { bucket: QUARANTINE, key: `files/${id}` },
        deidentifiedFrom: f.id,
        generation: 1,
      });
      expect(rec?.wrappedKey).toBeTruthy();
      await h.deps.outbox.flush();
      const up = await tap.waitFor('file.uploaded', (x) => x.data.fileId === id);
      expect(up.data).toMatchObject({
        ownerId: patient.id,
        bucket: QUARANTINE,
        key: `files/${id}`,
        sha256: e.data.sha256,
      });
      expect(
        (await tap.events()).filter((x) => x.type === 'file.uploaded' && (x.data as { fileId?: string }).fileId === id),
      ).toHaveLength(1);
      await scan(h, id, 'clean');
      expect((await h.deps.files.get(id))?.status).toBe('clean');
      const meta = await h.app.inject({ method: 'GET', url: `/v1/files/${id}`, headers: patient.auth });
      expect(meta.statusCode).toBe(200);
    } finally {
      await tap.close();
    }
  });

  it('gives a clinician the copy as their own file: the source patient does not see it', async () => {
    const patient = user('patient');
    const clinician = user('clinician');
    const f = await availableDicom(patient);
    await deliver(
      h,
      'user.created',
      { userId: clinician.id, role: 'clinician', email: `${clinician.id}@t.medvault`, active: true },
      'gateway',
    );
    const share = await h.app.inject({
      method: 'POST',
      url: `/v1/files/${f.id}/shares`,
      headers: patient.auth,
      payload: { userId: clinician.id },
    });
    expect(share.statusCode, share.body).toBe(201);
    const res = await deidentify(clinician, f.id);
    expect(res.statusCode, res.body).toBe(202);
    const id = (res.json() as { id: string }).id;
    const req = {
      fileId: id,
      sourceFileId: f.id,
      sourceOwnerId: patient.id,
      ownerId: clinician.id,
      requestedBy: clinician.id,
      bucket: 'x',
      key: 'y',
      sha256: f.sha256,
      generation: 1,
    };
    await (h.handlers['file.deidentified'] as EventHandler<'file.deidentified'>)(await workerWrites(req, CT), {
      logger: h.deps.logger,
      receiveCount: 1,
    });
    expect(await h.deps.files.get(id)).toMatchObject({ ownerId: clinician.id, patientId: clinician.id });
    expect((await h.app.inject({ method: 'GET', url: `/v1/files/${id}`, headers: clinician.auth })).statusCode).toBe(
      200,
    );
    expect((await h.app.inject({ method: 'GET', url: `/v1/files/${id}`, headers: patient.auth })).statusCode).toBe(403);
  });

  it('ignores a copy that does not lie where a copy must (quarantine, under its own id)', async () => {
    const e = createEvent(
      'file.deidentified',
      {
        fileId: newId('file'),
        sourceFileId: newId('file'),
        ownerId: newId('user'),
        requestedBy: newId('user'),
        sha256: 'a'.repeat(64),
        size: 1,
        bucket: 'medvault-clean',
        key: 'files/elsewhere',
        profile: 'basic',
        edition: '2021b',
      },
      { correlationId: newId('request'), source: 'watermark' },
    );
    await (h.handlers['file.deidentified'] as EventHandler<'file.deidentified'>)(e, {
      logger: h.deps.logger,
      receiveCount: 1,
    });
    expect(await h.deps.files.get(e.data.fileId)).toBeNull();
  });
});
