import { beforeAll, describe, expect, it } from 'vitest';
import { adminToken, call, createUser, type TestUser } from './support/client.js';

/**
 * The people picker through the gateway (GET /v1/people): care relationships reach the gateway
 * from appointments over the bus, so an admin's care assignment puts the clinician on the
 * patient's care team (and the patient on the clinician's list) within moments, and removing it
 * takes them off. Nobody sees an email; a patient never sees another patient.
 */
let admin: string;
let patient: TestUser;
let otherPatient: TestUser;
let doctor: TestUser;
const stamp = Date.now().toString(36);

interface Person {
  id: string;
  name: string;
  role: string;
  inCare: boolean;
}

const people = async (u: TestUser, query = '') => {
  const r = await call<{ items: Person[] }>('GET', `/v1/people${query}`, { token: u.token });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items;
};

/** Polls until the list satisfies `ok` (the gateway's care projection follows the bus). */
async function until(u: TestUser, query: string, ok: (items: Person[]) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const items = await people(u, query);
    if (ok(items) || Date.now() > deadline) return items;
    await new Promise((res) => setTimeout(res, 250));
  }
}

beforeAll(async () => {
  admin = await adminToken();
  patient = await createUser(admin, 'patient', `Pia Picker ${stamp}`);
  otherPatient = await createUser(admin, 'patient', `Otto Picker ${stamp}`);
  doctor = await createUser(admin, 'clinician', `Dr Picker ${stamp}`);
});

describe('people picker through the gateway', () => {
  it('offers a patient every active clinician by name, and never another patient or an email', async () => {
    const items = await people(patient);
    expect(items).toContainEqual({ id: doctor.id, name: `Dr Picker ${stamp}`, role: 'clinician', inCare: false });
    expect(items.every((p) => p.role === 'clinician')).toBe(true);
    expect(items.map((p) => p.id)).not.toContain(otherPatient.id);
    expect(JSON.stringify(items)).not.toContain('@');
  });

  it("puts the clinician on the patient's care team after an admin assignment, and takes them off after it ends", async () => {
    const path = `/v1/clinicians/${doctor.id}/patients/${patient.id}`;
    expect((await call('PUT', path, { token: admin })).status).toBe(200);
    const team = await until(patient, '?inCare=true', (xs) => xs.some((p) => p.id === doctor.id));
    expect(team).toEqual([{ id: doctor.id, name: `Dr Picker ${stamp}`, role: 'clinician', inCare: true }]);
    const mine = await until(doctor, '?role=patient', (xs) => xs.length > 0);
    expect(mine).toEqual([{ id: patient.id, name: `Pia Picker ${stamp}`, role: 'patient', inCare: true }]);

    expect((await call('DELETE', path, { token: admin })).status).toBe(204);
    expect(await until(patient, '?inCare=true', (xs) => xs.length === 0)).toEqual([]);
    expect(await until(doctor, '?role=patient', (xs) => xs.length === 0)).toEqual([]);
  });

  it('refuses an admin (they administer users at /v1/users)', async () => {
    const r = await call('GET', '/v1/people', { token: admin });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('FORBIDDEN');
  });
});
