import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminToken, call, createUser, type TestUser, upload, waitForStatus } from './support/client.js';
import { sample } from './support/dicomweb.js';

// A study uploaded as one ZIP is searchable by study (issue 17): its DICOM members are indexed
// while the ZIP streams through the processing worker.
const MR_STUDY = '1.3.6.1.4.1.5962.1.2.4.20040826185059.5457';
// The compressed re-encodings of pydicom's MR_small (same study). Not MR_small itself: its
// preamble is also a TIFF header (a dual-personality file) and clamd's TIFF heuristic on an
// archive member is not tolerated by the scanner yet (it is for a whole DICOM file).
const members = ['MR_small_jp2klossless.dcm', 'MR_small_jpeg_ls_lossless.dcm'];

let patient: TestUser;
let zipId: string;
beforeAll(async () => {
  const admin = await adminToken();
  patient = await createUser(admin, 'patient');
  const files: Record<string, Uint8Array> = { 'study/README.txt': Buffer.from('an MR study') };
  for (const m of members) files[`study/${m}`] = sample(m);
  const r = await upload(patient.token, { name: 'mr-study.zip', content: Buffer.from(zipSync(files)) });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  expect(r.body.contentType).toBe('application/zip');
  zipId = r.body.id;
  await waitForStatus(patient.token, zipId, ['available'], 120_000);
}, 180_000);

describe('a study uploaded as one ZIP', () => {
  it('carries the study of its DICOM members on its record, with their number', async () => {
    const f = await call('GET', `/v1/files/${zipId}`, { token: patient.token });
    expect(f.body.dicom).toMatchObject({ studyInstanceUid: MR_STUDY, modality: 'MR', instances: members.length });
  });

  it('is found by study in the file list', async () => {
    const list = await call('GET', `/v1/files?studyInstanceUid=${MR_STUDY}`, { token: patient.token });
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([zipId]);
    const other = await call('GET', '/v1/files?studyInstanceUid=1.2.3', { token: patient.token });
    expect(other.body.items).toEqual([]);
  });
});
