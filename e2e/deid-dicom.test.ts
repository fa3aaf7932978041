import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminToken, call, createUser, type TestUser, upload, waitForStatus } from './support/client.js';

// Issue 17, de-identification through the gateway and the whole pipeline: request → watermark
// worker (Basic Profile) → quarantine → scanner → indexed → available; checked with pydicom.
const ROOT = join(import.meta.dirname, '..');
const SAMPLES = join(ROOT, '.local/data/dicom');
const ct = readFileSync(join(SAMPLES, 'CT_small.dcm'));

/** What pydicom reads of a file: identity, UIDs, private tag count, profile marks, pixel digest. */
function pydicom(data: Buffer): Record<string, string | number> {
  const path = join(tmpdir(), `deid-e2e-${process.pid}-${Date.now()}.dcm`);
  writeFileSync(path, data);
  const script = `
import hashlib, json, sys, pydicom
d = pydicom.dcmread(sys.argv[1])
g = lambda k: str(d.get(k)) if d.get(k) is not None else None
print(json.dumps({"name": g("PatientName"), "id": g("PatientID"), "birth": g("PatientBirthDate"),
  "institution": g("InstitutionName"), "study": g("StudyInstanceUID"), "series": g("SeriesInstanceUID"),
  "sop": g("SOPInstanceUID"), "removed": g("PatientIdentityRemoved"), "method": g("DeidentificationMethod"),
  "private": sum(1 for e in d.iterall() if e.tag.is_private), "pixels": hashlib.sha256(d.PixelData).hexdigest()}))`;
  return JSON.parse(execFileSync(join(ROOT, '.local/venv/bin/python'), ['-c', script, path]).toString());
}

async function download(token: string, id: string): Promise<Buffer> {
  const link = await call('POST', `/v1/files/${id}/links`, { token, json: {} });
  expect(link.status, JSON.stringify(link.body)).toBe(201);
  const got = await call('GET', link.body.url, { token });
  expect(got.status).toBe(200);
  return got.raw;
}

let patient: TestUser;
let other: TestUser;
let compliance: TestUser;
let sourceId: string;

beforeAll(async () => {
  const admin = await adminToken();
  patient = await createUser(admin, 'patient');
  other = await createUser(admin, 'patient');
  compliance = await createUser(admin, 'compliance');
  const r = await upload(patient.token, { name: 'Doe_Jane_CT.dcm', content: ct });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  sourceId = r.body.id;
  await waitForStatus(patient.token, sourceId, ['available']);
}, 120_000);

describe('DICOM de-identification through the gateway', () => {
  let copyId: string;

  it('answers 202 with a new file that is scanned, indexed and becomes available to the requester', async () => {
    const r = await call('POST', `/v1/files/${sourceId}/deidentify`, { token: patient.token });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    copyId = r.body.id;
    expect(copyId).not.toBe(sourceId);
    const f = await waitForStatus(patient.token, copyId, ['available'], 90_000);
    expect(f).toMatchObject({
      ownerId: patient.id,
      contentType: 'application/dicom',
      name: `deidentified-${copyId}.dcm`,
    });
    expect(f.dicom).toMatchObject({ modality: 'CT', rows: 128, columns: 128, frames: 1 });
    expect(f.dicom.studyInstanceUid).toMatch(/^2\.25\.\d+$/);
    expect(f.dicom.studyInstanceUid).not.toBe('1.3.6.1.4.1.5962.1.2.1.20040119072730.12322');
  }, 120_000);

  it('serves a copy without the identity or private tags, marked de-identified, with the same pixels', async () => {
    const copy = pydicom(await download(patient.token, copyId));
    const original = pydicom(ct);
    expect(original.name).toBe('CompressedSamples^CT1');
    expect(original.private).toBeGreaterThan(0);
    expect(copy).toMatchObject({ name: '', id: '', removed: 'YES', private: 0, pixels: original.pixels });
    expect(copy.institution).toBeNull();
    expect(String(copy.method)).toContain('Basic Profile (DICOM 2021b)');
    for (const k of ['study', 'series', 'sop']) expect(String(copy[k]), k).toMatch(/^2\.25\./);
  });

  it('leaves the original unaltered and served byte-exact', async () => {
    const got = await download(patient.token, sourceId);
    expect(got.equals(ct)).toBe(true);
    const f = await call('GET', `/v1/files/${sourceId}`, { token: patient.token });
    expect(f.body.dicom.studyInstanceUid).toBe('1.3.6.1.4.1.5962.1.2.1.20040119072730.12322');
  });

  it('maps the study alike for a second copy by the same requester', async () => {
    const r = await call('POST', `/v1/files/${sourceId}/deidentify`, { token: patient.token });
    expect(r.status).toBe(202);
    const second = await waitForStatus(patient.token, r.body.id, ['available'], 90_000);
    const first = await call('GET', `/v1/files/${copyId}`, { token: patient.token });
    expect(second.dicom.studyInstanceUid).toBe(first.body.dicom.studyInstanceUid);
    expect(second.dicom.sopInstanceUid).toBe(first.body.dicom.sopInstanceUid);
  }, 120_000);

  it('refuses a user who may not read the source, and records file.deidentified in the audit log', async () => {
    const denied = await call('POST', `/v1/files/${sourceId}/deidentify`, { token: other.token });
    expect(denied.status).toBe(403);
    const deadline = Date.now() + 30_000;
    let items: { action: string }[] = [];
    while (Date.now() < deadline) {
      const r = await call('GET', `/v1/audit/events?resourceId=${copyId}&limit=50`, { token: compliance.token });
      expect(r.status).toBe(200);
      items = r.body.items;
      if (items.some((i) => i.action === 'file.deidentified')) break;
      await new Promise((res) => setTimeout(res, 500));
    }
    expect(items.map((i) => i.action)).toContain('file.deidentified');
  }, 60_000);
});
