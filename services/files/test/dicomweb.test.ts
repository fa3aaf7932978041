import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAll, deliver, type Harness, harness, knownUser, scan, type User, user } from './helpers.js';

// DICOMweb on the files service against the real stack (issue 17). Samples: pydicom's, copied by
// scripts/dicom-samples.sh (infra/install.sh installs pydicom).
const SAMPLES = join(import.meta.dirname, '../../../.local/data/dicom');
const ct = readFileSync(join(SAMPLES, 'CT_small.dcm'));
const CT = {
  study: '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322',
  series: '1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322',
  sop: '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322',
  sopClass: '1.2.840.10008.5.1.4.1.1.2',
};

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(closeAll);

/** A multipart/related body of `parts` ([content type, bytes]), streamed. */
function related(parts: [string, Buffer][]) {
  const boundary = `dw${Math.random().toString(16).slice(2)}`;
  async function* gen() {
    for (const [type, bytes] of parts) {
      yield Buffer.from(`--${boundary}\r\nContent-Type: ${type}\r\n\r\n`);
      yield bytes;
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`--${boundary}--\r\n`);
  }
  return {
    payload: Readable.from(gen(), { objectMode: false }),
    headers: { 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}` },
  };
}

async function stow(u: User, parts: [string, Buffer][], url = '/dicomweb/studies') {
  const body = related(parts);
  return h.app.inject({ method: 'POST', url, headers: { ...u.auth, ...body.headers }, payload: body.payload });
}
const get = (u: User, url: string, accept?: string) =>
  h.app.inject({ method: 'GET', url, headers: { ...u.auth, ...(accept ? { accept } : {}) } });
const referenced = (body: Record<string, { Value?: Record<string, { Value?: string[] }>[] }>) =>
  (body['00081199']?.Value ?? []).map((r) => r['00081155']?.Value?.[0]);

/** What the scanner and the watermark worker would do: clean verdict, then the indexed header. */
async function release(fileId: string) {
  const f = (await h.deps.files.get(fileId))!;
  await scan(h, fileId, 'clean');
  await deliver(
    h,
    'file.processed',
    {
      fileId,
      generation: 1,
      sha256: f.sha256,
      sha256Verified: true,
      derivatives: [],
      dicom: {
        studyInstanceUid: CT.study,
        seriesInstanceUid: CT.series,
        sopInstanceUid: CT.sop,
        modality: 'CT',
        studyDate: '2004-01-19',
        rows: 128,
        columns: 128,
        frames: 1,
      },
    },
    'watermark',
  );
}

/** The patient's files, straight from the repository. */
const filesOf = (u: User) => h.deps.files.list({ visibility: { kind: 'owner', ownerId: u.id }, limit: 100 });

describe('DICOMweb on the files service', () => {
  it('stores a STOW-RS instance as a quarantined file and finds it by QIDO-RS only once it is scanned and indexed', async () => {
    const p = user('patient');
    const res = await stow(p, [['application/dicom', ct]]);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/dicom\+json/);
    const body = res.json();
    expect(referenced(body)).toEqual([CT.sop]);
    expect(body['00081199'].Value[0]['00081150'].Value).toEqual([CT.sopClass]);
    const [f] = await filesOf(p);
    expect(f).toMatchObject({ status: 'quarantined', contentType: 'application/dicom', size: ct.length });

    const before = await get(p, '/dicomweb/studies');
    expect(before.json()).toEqual([]);
    expect((await get(p, `/dicomweb/studies/${CT.study}`)).statusCode).toBe(404);

    await release(f!._id);
    const studies = (await get(p, `/dicomweb/studies?StudyDate=20040101-20040131&ModalitiesInStudy=CT`)).json();
    expect(studies).toHaveLength(1);
    expect(studies[0]['0020000D'].Value).toEqual([CT.study]);
    expect(studies[0]['00201208'].Value).toEqual([1]);
    const none = (await get(p, '/dicomweb/studies?StudyDate=20050101-')).json();
    expect(none).toEqual([]);
    const instances = (await get(p, `/dicomweb/studies/${CT.study}/series/${CT.series}/instances`)).json();
    expect(instances.map((i: Record<string, { Value: string[] }>) => i['00080018']!.Value[0])).toEqual([CT.sop]);
  });

  it('retrieves the instance by WADO-RS as multipart/related holding the original bytes, and its metadata as DICOM JSON', async () => {
    const p = user('patient');
    const [f] = (await stow(p, [['application/dicom', ct]]), await filesOf(p));
    await release(f!._id);
    const res = await get(
      p,
      `/dicomweb/studies/${CT.study}/series/${CT.series}/instances/${CT.sop}`,
      'multipart/related; type="application/dicom"',
    );
    expect(res.statusCode, res.body).toBe(200);
    const boundary = /boundary=([^;]+)/.exec(res.headers['content-type'] as string)![1]!;
    const raw = res.rawPayload;
    const head = Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
    expect(raw.subarray(0, head.length).equals(head)).toBe(true);
    expect(raw.subarray(head.length, head.length + ct.length).equals(ct)).toBe(true);
    expect(raw.subarray(head.length + ct.length).toString()).toBe(`\r\n--${boundary}--\r\n`);

    const meta = await get(p, `/dicomweb/studies/${CT.study}/metadata`);
    expect(meta.statusCode, meta.body).toBe(200);
    const [ds] = meta.json();
    expect(ds['00080018']).toEqual({ vr: 'UI', Value: [CT.sop] });
    expect(ds['00100010'].vr).toBe('PN');
    expect(ds['7FE00010']).toBeUndefined();
  });

  it('lets a patient find only their own studies, and a clinician only those of patients in care', async () => {
    const owner = user('patient');
    const [f] = (await stow(owner, [['application/dicom', ct]]), await filesOf(owner));
    await release(f!._id);
    const other = user('patient');
    const stranger = await knownUser(h, 'clinician');
    for (const u of [other, stranger]) {
      const found = (await get(u, `/dicomweb/studies?StudyInstanceUID=${CT.study}`)).json();
      expect(found.every((s: Record<string, { Value: string[] }>) => s['00100020']!.Value[0] !== owner.id)).toBe(true);
      expect((await get(u, `/dicomweb/studies/${CT.study}/series/${CT.series}/instances/${CT.sop}`)).statusCode).toBe(
        404,
      );
    }
    const doctor = await knownUser(h, 'clinician');
    await deliver(h, 'care.relationship_started', { clinicianId: doctor.id, patientId: owner.id }, 'appointments');
    const seen = (await get(doctor, `/dicomweb/studies?StudyInstanceUID=${CT.study}`)).json();
    expect(seen.map((s: Record<string, { Value: string[] }>) => s['00100020']!.Value[0])).toContain(owner.id);
  });

  it('refuses a part that is not DICOM or not of the named study (409 with reasons) and keeps nothing of it', async () => {
    const p = user('patient');
    const notDicom = await stow(p, [['application/dicom', Buffer.from('%PDF-1.7\nnot an image')]]);
    expect(notDicom.statusCode, notDicom.body).toBe(409);
    expect(notDicom.json()['00081198'].Value[0]['00081197'].Value).toEqual([0xc000]);
    const wrongStudy = await stow(p, [['application/dicom', ct]], '/dicomweb/studies/1.2.3.4');
    expect(wrongStudy.statusCode, wrongStudy.body).toBe(409);
    expect(wrongStudy.json()['00081198'].Value[0]).toMatchObject({
      '00081155': { vr: 'UI', Value: [CT.sop] },
      '00081197': { vr: 'US', Value: [0xa900] },
    });
    expect(await filesOf(p)).toEqual([]);
  });

  it('answers a body that is not multipart/related with 415, and one without its closing boundary with 400', async () => {
    const p = user('patient');
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/dicomweb/studies',
      headers: { ...p.auth, 'content-type': 'application/dicom' },
      payload: ct,
    });
    expect(wrong.statusCode).toBe(415);
    const cut = await h.app.inject({
      method: 'POST',
      url: '/dicomweb/studies',
      headers: { ...p.auth, 'content-type': 'multipart/related; type="application/dicom"; boundary=zz' },
      payload: Buffer.concat([Buffer.from('--zz\r\nContent-Type: application/dicom\r\n\r\n'), ct]),
    });
    expect(cut.statusCode, cut.body).toBe(400);
    expect(await filesOf(p)).toEqual([]);
  });
});
