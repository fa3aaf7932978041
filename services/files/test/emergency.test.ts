import { randomBytes } from 'node:crypto';
import { openBusTap } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../src/deps.js';
import {
  closeAll,
  deliver,
  type Harness,
  harness,
  knownUser,
  makeAvailable,
  multipart,
  type User,
  user,
} from './helpers.js';

let h: Harness;
let now = new Date();
const clock: Clock = { now: () => now };
beforeAll(async () => {
  h = await harness({ EMERGENCY_ACCESS_MINUTES: '30' });
  h.deps.clock = clock;
});
afterAll(closeAll);

const pdf = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(1500)]);
async function availableFileOf(patient: User) {
  const m = multipart(pdf(), { filename: 'chart.pdf' });
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
const open = (u: User, body: unknown) =>
  h.app.inject({ method: 'POST', url: '/v1/emergency-access', headers: u.auth, payload: body as object });
const read = (u: User, id: string) => h.app.inject({ method: 'GET', url: `/v1/files/${id}`, headers: u.auth });
async function download(u: User, id: string) {
  const l = await h.app.inject({ method: 'POST', url: `/v1/files/${id}/links`, headers: u.auth, payload: {} });
  if (l.statusCode !== 201) return l.statusCode;
  return (await h.app.inject({ method: 'GET', url: l.json().url, headers: u.auth })).statusCode;
}

describe('break-glass emergency access', () => {
  it('lets a clinician outside the care team read a patient’s files once a grant with a reason is open, and emits access.emergency_granted', async () => {
    const tap = await openBusTap(['access.emergency_granted']);
    try {
      const patient = await knownUser(h, 'patient');
      const doctor = user('clinician');
      const id = await availableFileOf(patient);
      expect((await read(doctor, id)).statusCode).toBe(403);
      const reason = 'Unconscious patient in the emergency room, allergies unknown';
      const g = await open(doctor, { patientId: patient.id, reason });
      expect(g.statusCode, g.body).toBe(201);
      expect(g.json()).toMatchObject({
        userId: doctor.id,
        patientId: patient.id,
        reason,
        id: expect.stringMatching(/^grt_/),
      });
      expect(Date.parse(g.json().expiresAt) - now.getTime()).toBe(30 * 60_000);
      expect((await read(doctor, id)).statusCode).toBe(200);
      expect(await download(doctor, id)).toBe(200);
      const e = await tap.waitFor('access.emergency_granted', (x) => x.data.grantId === g.json().id);
      expect(e.data).toMatchObject({ patientId: patient.id, reason });
      expect(e.actor).toMatchObject({ userId: doctor.id, role: 'clinician' });
      const mine = await h.app.inject({ method: 'GET', url: '/v1/emergency-access', headers: doctor.auth });
      expect(mine.json().items.map((x: { id: string }) => x.id)).toEqual([g.json().id]);
    } finally {
      await tap.close();
    }
  });

  it('closes the grant when it expires', async () => {
    const patient = await knownUser(h, 'patient');
    const doctor = user('clinician');
    const id = await availableFileOf(patient);
    const g = await open(doctor, { patientId: patient.id, reason: 'Cardiac arrest, need prior ECG now' });
    expect(g.statusCode).toBe(201);
    expect((await read(doctor, id)).statusCode).toBe(200);
    const saved = now;
    now = new Date(saved.getTime() + 31 * 60_000);
    try {
      expect((await read(doctor, id)).statusCode).toBe(403);
      const mine = await h.app.inject({ method: 'GET', url: '/v1/emergency-access', headers: doctor.auth });
      expect(mine.json().items).toEqual([]);
    } finally {
      now = saved;
    }
  });

  it('gives an admin content access only through a grant, and only to that patient', async () => {
    const patient = await knownUser(h, 'patient');
    const other = await knownUser(h, 'patient');
    const admin = user('admin');
    const id = await availableFileOf(patient);
    const otherId = await availableFileOf(other);
    expect(await download(admin, id)).toBe(403);
    expect(
      (await open(admin, { patientId: patient.id, reason: 'Court-ordered emergency disclosure' })).statusCode,
    ).toBe(201);
    expect(await download(admin, id)).toBe(200);
    expect(await download(admin, otherId)).toBe(403);
  });
});

describe('break-glass refusals', () => {
  it('refuses patients and compliance officers, a grant to oneself, and a missing or short reason', async () => {
    const patient = await knownUser(h, 'patient');
    const doctor = user('clinician');
    expect(
      (await open(user('patient'), { patientId: patient.id, reason: 'I want to see their files' })).statusCode,
    ).toBe(403);
    expect(
      (await open(user('compliance'), { patientId: patient.id, reason: 'Routine compliance review' })).statusCode,
    ).toBe(403);
    expect((await open(doctor, { patientId: doctor.id, reason: 'Looking at my own records' })).statusCode).toBe(403);
    expect((await open(doctor, { patientId: patient.id, reason: 'urgent' })).statusCode).toBe(400);
    expect((await open(doctor, { patientId: patient.id })).statusCode).toBe(400);
    expect((await open(doctor, { patientId: 'fil_not-a-user', reason: 'Unconscious patient in ER' })).statusCode).toBe(
      400,
    );
  });

  it('refuses a grant to a known non-patient, and an unauthenticated caller', async () => {
    const colleague = user('clinician');
    await deliver(
      h,
      'user.created',
      { userId: colleague.id, role: 'clinician', email: 'c@x.test', active: true },
      'gateway',
    );
    const r = await open(user('clinician'), { patientId: colleague.id, reason: 'Unconscious patient in ER' });
    expect(r.statusCode, r.body).toBe(422);
    const anon = await h.app.inject({
      method: 'POST',
      url: '/v1/emergency-access',
      payload: { patientId: colleague.id, reason: 'x'.repeat(20) },
    });
    expect(anon.statusCode).toBe(401);
  });
});
