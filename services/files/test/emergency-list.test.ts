import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../src/deps.js';
import { closeAll, type Harness, harness, knownUser, makeAvailable, multipart, type User, user } from './helpers.js';

let h: Harness;
let now = new Date();
const clock: Clock = { now: () => now };
beforeAll(async () => {
  h = await harness({ EMERGENCY_ACCESS_MINUTES: '30' });
  h.deps.clock = clock;
});
afterAll(closeAll);

async function availableFileOf(patient: User) {
  const m = multipart(Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(800)]), { filename: 'chart.pdf' });
  const r = await h.app.inject({
    method: 'POST',
    url: '/v1/files',
    headers: { ...patient.auth, ...m.headers },
    payload: m.payload,
  });
  expect(r.statusCode, r.body).toBe(202);
  const f = r.json() as { id: string; sha256: string };
  await makeAvailable(h, f.id, f.sha256);
  return f.id;
}
const listed = async (u: User, patientId: string) => {
  const r = await h.app.inject({ method: 'GET', url: `/v1/files?patientId=${patientId}`, headers: u.auth });
  expect(r.statusCode, r.body).toBe(200);
  return (r.json().items as { id: string }[]).map((f) => f.id);
};

// The web console's break-glass page lists the patient's files: a grant must make them findable.
describe('listing under break-glass', () => {
  it('lists a patient’s files to a clinician with an open grant, only that patient’s, and no more once it expires', async () => {
    const patient = await knownUser(h, 'patient');
    const other = await knownUser(h, 'patient');
    const doctor = user('clinician');
    const id = await availableFileOf(patient);
    const otherId = await availableFileOf(other);
    expect(await listed(doctor, patient.id)).toEqual([]);
    const g = await h.app.inject({
      method: 'POST',
      url: '/v1/emergency-access',
      headers: doctor.auth,
      payload: { patientId: patient.id, reason: 'Unconscious on arrival, allergies unknown' },
    });
    expect(g.statusCode, g.body).toBe(201);
    expect(await listed(doctor, patient.id)).toEqual([id]);
    expect(await listed(doctor, other.id)).not.toContain(otherId);
    const saved = now;
    now = new Date(saved.getTime() + 31 * 60_000);
    try {
      expect(await listed(doctor, patient.id)).toEqual([]);
    } finally {
      now = saved;
    }
  });
});
