import { api } from 'dicomweb-client';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import XMLHttpRequest from 'xhr2';
import { adminToken, call, createUser, GATEWAY, type TestUser } from './support/client.js';
import { firstValue, sample, untilFound } from './support/dicomweb.js';

// dicomweb-client (the DICOMweb library of OHIF and Slim) as a second client of MedVault's
// DICOMweb API through the gateway (issue 17). It is a browser library: xhr2 stands in for
// XMLHttpRequest on Node.
Object.assign(globalThis, { XMLHttpRequest });

const ct = sample('CT_small.dcm');
const CT = {
  study: '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322',
  series: '1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322',
  sop: '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322',
};
const arrayBuffer = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
const clientOf = (u: TestUser) =>
  new api.DICOMwebClient({
    url: `${GATEWAY}/dicomweb`,
    headers: { Authorization: `Bearer ${u.token}` },
    singlepart: false,
  });

let patient: TestUser;
let other: TestUser;
beforeAll(async () => {
  const admin = await adminToken();
  patient = await createUser(admin, 'patient');
  other = await createUser(admin, 'patient');
  await clientOf(patient).storeInstances({ datasets: [arrayBuffer(ct)] });
  await untilFound(patient.token, CT.sop);
}, 180_000);

describe('dicomweb-client against MedVault', () => {
  it('stores with STOW-RS, then searches with QIDO-RS and reads the metadata with WADO-RS', async () => {
    const client = clientOf(patient);
    const studies = await client.searchForStudies({ queryParams: { StudyInstanceUID: CT.study } });
    expect(studies).toHaveLength(1);
    expect(firstValue(studies[0], '00080061')).toBe('CT');
    const [meta] = await client.retrieveStudyMetadata({ studyInstanceUID: CT.study, request: {} });
    expect(meta?.['00080018']?.Value?.[0]).toBe(CT.sop);
    expect(meta?.['00280010']?.Value?.[0]).toBe(128);
  });

  it('retrieves the instance with WADO-RS byte-exact', async () => {
    const [instance] = await clientOf(patient).retrieveStudy({ studyInstanceUID: CT.study, request: {} });
    expect(Buffer.from(instance!).equals(ct)).toBe(true);
  });

  it('gets the rendered first frame as the watermarked PNG preview', async () => {
    const r = await call(
      'GET',
      `/dicomweb/studies/${CT.study}/series/${CT.series}/instances/${CT.sop}/frames/1/rendered`,
      {
        token: patient.token,
        headers: { accept: 'image/png' },
      },
    );
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    expect(r.raw.subarray(1, 4).toString()).toBe('PNG');
  });

  it("finds nothing of another patient's study (QIDO-RS) and cannot fetch it", async () => {
    const client = clientOf(other);
    expect(await client.searchForStudies({ queryParams: { StudyInstanceUID: CT.study } })).toEqual([]);
    // dicomweb-client prints every failed request (the whole XMLHttpRequest) on console.error.
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await expect(client.retrieveStudy({ studyInstanceUID: CT.study, request: {} })).rejects.toMatchObject({
        request: { status: 404 },
      });
    } finally {
      quiet.mockRestore();
    }
  });
});
