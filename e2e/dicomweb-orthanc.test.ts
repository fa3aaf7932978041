import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, call, createUser, GATEWAY, type TestUser } from './support/client.js';
import { firstValue, qido, sample, untilFound } from './support/dicomweb.js';

// Orthanc (a real PACS, started by infra/stack.sh) as a DICOMweb peer of MedVault: its DICOMweb
// client, configured with MedVault's gateway and a patient's token, stores to and retrieves from
// MedVault (issue 17). Orthanc's own REST API drives it.
const ORTHANC = process.env.ORTHANC_URL ?? `http://127.0.0.1:${process.env.ORTHANC_HTTP_PORT ?? 8042}`;
const mr = sample('MR_small.dcm');

async function orthanc(method: string, path: string, body?: Buffer | object) {
  const isBytes = Buffer.isBuffer(body);
  const r = await fetch(`${ORTHANC}${path}`, {
    method,
    headers: { 'content-type': isBytes ? 'application/dicom' : 'application/json' },
    ...(body === undefined ? {} : { body: isBytes ? body : JSON.stringify(body) }),
  });
  const raw = Buffer.from(await r.arrayBuffer());
  if (!r.ok) throw new Error(`Orthanc ${method} ${path}: ${r.status} ${raw.toString().slice(0, 300)}`);
  return raw;
}
const json = async (method: string, path: string, body?: Buffer | object) =>
  JSON.parse((await orthanc(method, path, body)).toString('utf8'));

/** Registers MedVault's gateway as a DICOMweb server of Orthanc, authenticated as `user`. */
async function peer(user: TestUser): Promise<string> {
  const name = `medvault-${randomBytes(4).toString('hex')}`;
  await orthanc('PUT', `/dicom-web/servers/${name}`, {
    Url: `${GATEWAY}/dicomweb/`,
    HttpHeaders: { Authorization: `Bearer ${user.token}` },
  });
  servers.push(name);
  return name;
}

const servers: string[] = [];
let patient: TestUser;
let other: TestUser;
let study: { orthancId: string; uid: string; sop: string };

beforeAll(async () => {
  const admin = await adminToken();
  patient = await createUser(admin, 'patient');
  other = await createUser(admin, 'patient');
  const stored = await json('POST', '/instances', mr);
  const tags = await json('GET', `/instances/${stored.ID}/simplified-tags`);
  study = { orthancId: stored.ParentStudy, uid: tags.StudyInstanceUID, sop: tags.SOPInstanceUID };
}, 120_000);

afterAll(async () => {
  for (const s of servers) await orthanc('DELETE', `/dicom-web/servers/${s}`).catch(() => undefined);
  await orthanc('DELETE', `/studies/${study.orthancId}`).catch(() => undefined);
});

describe('Orthanc as a DICOMweb peer of MedVault', () => {
  it('stores a study from Orthanc into MedVault (STOW-RS), which serves it once scanned, byte-exact', async () => {
    const server = await peer(patient);
    await orthanc('POST', `/dicom-web/servers/${server}/stow`, { Resources: [study.orthancId] });
    const found = await untilFound(patient.token, study.sop);
    expect(firstValue(found, '0020000D')).toBe(study.uid);
    expect(firstValue(found, '00080060')).toBe('MR');
    const got = await call('GET', `/dicomweb/studies/${study.uid}`, {
      token: patient.token,
      headers: { accept: 'multipart/related; type="application/dicom"' },
    });
    expect(got.status).toBe(200);
    expect(got.raw.includes(mr)).toBe(true);
  });

  it('retrieves the study from MedVault into Orthanc (QIDO-RS + WADO-RS through the gateway)', async () => {
    const server = await peer(patient);
    await untilFound(patient.token, study.sop);
    // Orthanc forgets its copy, then finds and fetches MedVault's.
    await orthanc('DELETE', `/studies/${study.orthancId}`);
    const listed = await json('POST', `/dicom-web/servers/${server}/get`, {
      Uri: '/studies',
      Arguments: { StudyInstanceUID: study.uid },
    });
    expect(listed.map((s: Record<string, { Value: string[] }>) => s['0020000D']!.Value[0])).toEqual([study.uid]);
    await orthanc('POST', `/dicom-web/servers/${server}/retrieve`, { Resources: [{ Study: study.uid }] });
    const [id] = await json('POST', '/tools/lookup', Buffer.from(study.sop)).then((r: { ID: string; Type: string }[]) =>
      r.filter((x) => x.Type === 'Instance').map((x) => x.ID),
    );
    expect(id).toBeTruthy();
    const file = await orthanc('GET', `/instances/${id}/file`);
    expect(file.equals(mr)).toBe(true);
  });

  it("does not let a patient's Orthanc find or fetch another patient's study", async () => {
    await untilFound(patient.token, study.sop);
    const server = await peer(other);
    const listed = await json('POST', `/dicom-web/servers/${server}/get`, {
      Uri: '/studies',
      Arguments: { StudyInstanceUID: study.uid },
    });
    expect(listed).toEqual([]);
    expect(await qido(other.token, `studies?StudyInstanceUID=${study.uid}`)).toEqual([]);
    const fetched = await call('GET', `/dicomweb/studies/${study.uid}/metadata`, { token: other.token });
    expect(fetched.status).toBe(404);
  });
});
