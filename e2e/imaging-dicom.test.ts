import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminToken, call, createUser, type TestUser, upload, waitForStatus } from './support/client.js';

// Issue 17 through the gateway: DICOM uploads are indexed, filterable, previewed (watermarked PNG)
// and their originals served unaltered. Samples: pydicom's, copied by scripts/dicom-samples.sh.
const SAMPLES = join(import.meta.dirname, '../.local/data/dicom');
const ct = readFileSync(join(SAMPLES, 'CT_small.dcm'));
const mr = readFileSync(join(SAMPLES, 'MR_small.dcm'));

let patient: TestUser;
let other: TestUser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  const admin = await adminToken();
  patient = await createUser(admin, 'patient');
  other = await createUser(admin, 'patient');
  for (const [name, content] of [
    ['ct', ct],
    ['mr', mr],
  ] as const) {
    // A neutral name and type: the content says it is DICOM.
    const r = await upload(patient.token, { name: `${name}.bin`, content });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.contentType).toBe('application/dicom');
    ids[name] = r.body.id;
  }
  for (const id of Object.values(ids)) await waitForStatus(patient.token, id, ['available']);
}, 120_000);

describe('DICOM through the gateway', () => {
  it('shows the indexed header of the CT on its record and flags the MR of another DICOM patient', async () => {
    const f = await call('GET', `/v1/files/${ids.ct}`, { token: patient.token });
    expect(f.body.dicom).toMatchObject({
      studyInstanceUid: '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322',
      modality: 'CT',
      studyDate: '2004-01-19',
      rows: 128,
      columns: 128,
      frames: 1,
      patientMismatch: false,
    });
    expect(f.body.hasPreview).toBe(true);
    const m = await call('GET', `/v1/files/${ids.mr}`, { token: patient.token });
    expect(m.body.dicom).toMatchObject({ modality: 'MR', patientMismatch: true });
  });

  it('filters the file list by modality, study and study date', async () => {
    const list = async (q: string) =>
      (await call('GET', `/v1/files?${q}`, { token: patient.token })).body.items.map((i: { id: string }) => i.id);
    expect(await list('modality=CT')).toEqual([ids.ct]);
    expect(await list('modality=MR')).toEqual([ids.mr]);
    expect(await list('studyInstanceUid=1.3.6.1.4.1.5962.1.2.1.20040119072730.12322')).toEqual([ids.ct]);
    expect(await list('studyDateFrom=2004-06-01&studyDateTo=2004-12-31')).toEqual([ids.mr]);
  });

  it('serves a watermarked PNG preview to the owner and refuses it to another patient', async () => {
    const p = await call('GET', `/v1/files/${ids.ct}/preview`, { token: patient.token });
    expect(p.status).toBe(200);
    expect(p.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(p.raw).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 128, height: 128 });
    expect(meta.exif?.toString('latin1')).toContain(`medvault:fileId=${ids.ct}`);
    const denied = await call('GET', `/v1/files/${ids.ct}/preview`, { token: other.token });
    expect([403, 404]).toContain(denied.status);
  });

  it('serves the original DICOM byte-exact', async () => {
    const link = await call('POST', `/v1/files/${ids.ct}/links`, { token: patient.token, json: {} });
    expect(link.status).toBe(201);
    const got = await call('GET', link.body.url, { token: patient.token });
    expect(got.status).toBe(200);
    expect(got.raw.equals(ct)).toBe(true);
  });
});
