import { type BusTap, openBusTap } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endDueCare } from '../src/app/end-due-care.js';
import { bearer, futureMonday, instance, plusMinutes, scratchDb, seedUser } from './helpers.js';

const db = scratchDb();
let svc: Awaited<ReturnType<typeof instance>>;
let graceless: Awaited<ReturnType<typeof instance>>;
let tap: BusTap;
let clinician: string;
let patient: string;

beforeAll(async () => {
  svc = await instance(db, { CARE_GRACE_HOURS: '2' });
  graceless = await instance(db, { CARE_GRACE_HOURS: '0' });
  tap = await openBusTap(['appointment.rescheduled', 'appointment.cancelled', 'care.relationship_ended']);
  clinician = await seedUser(svc.deps, 'clinician');
  patient = await seedUser(svc.deps, 'patient');
});

afterAll(async () => {
  await tap.close();
  await svc.deps.db.dropDatabase().catch(() => undefined);
  await Promise.all([svc.deps.close(), graceless.deps.close()]);
});

const book = (
  app = svc.app,
  who = patient,
  role: 'patient' | 'clinician' | 'admin' = 'patient',
  body: Record<string, unknown> = {},
) => {
  const start = futureMonday(14, 0, 3);
  return app.inject({
    method: 'POST',
    url: '/v1/appointments',
    headers: bearer(who, role),
    payload: {
      clinicianId: clinician,
      patientId: patient,
      start: start.toISOString(),
      end: plusMinutes(start, 30).toISOString(),
      ...body,
    },
  });
};
const fieldsOf = (r: { json: () => { errors?: { field: string }[] } }) => (r.json().errors ?? []).map((e) => e.field);

describe('booking input rules', () => {
  it('names the end when it is before the start', async () => {
    const s = futureMonday(10, 0, 4);
    const r = await book(svc.app, patient, 'patient', {
      start: s.toISOString(),
      end: plusMinutes(s, -30).toISOString(),
    });
    expect(r.statusCode).toBe(400);
    expect(fieldsOf(r)).toEqual(['end']);
  });

  it('names the start when it is in the past', async () => {
    const r = await book(svc.app, patient, 'patient', { start: '2020-01-06T10:00:00Z', end: '2020-01-06T10:30:00Z' });
    expect(r.statusCode).toBe(400);
    expect(fieldsOf(r)).toEqual(['start']);
  });

  it('names a date-time without an offset', async () => {
    const r = await book(svc.app, patient, 'patient', { start: '2031-01-06T10:00:00' });
    expect(r.statusCode).toBe(400);
    expect(fieldsOf(r)).toContain('start');
  });

  it('names the end when the appointment is longer than the maximum duration', async () => {
    const s = futureMonday(9, 0, 4);
    const r = await book(svc.app, patient, 'patient', {
      start: s.toISOString(),
      end: plusMinutes(s, 180).toISOString(),
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors).toEqual([{ field: 'end', message: 'appointment may last at most 120 minutes' }]);
  });

  it('names the start when it is outside working hours', async () => {
    const s = futureMonday(20, 0, 4);
    const r = await book(svc.app, patient, 'patient', {
      start: s.toISOString(),
      end: plusMinutes(s, 30).toISOString(),
    });
    expect(r.statusCode).toBe(400);
    expect(fieldsOf(r)).toEqual(['start']);
  });

  it('names an unknown clinician', async () => {
    const r = await book(svc.app, patient, 'patient', { clinicianId: 'usr_01JD0000000000000000000000' });
    expect(r.statusCode).toBe(422);
    expect(fieldsOf(r)).toEqual(['clinicianId']);
  });

  it('refuses a patient booking for another patient, naming patientId', async () => {
    const other = await seedUser(svc.deps, 'patient');
    const r = await book(svc.app, other, 'patient');
    expect(r.statusCode).toBe(403);
    expect(fieldsOf(r)).toEqual(['patientId']);
  });

  it('refuses an unknown body field and an unauthenticated caller', async () => {
    expect((await book(svc.app, patient, 'patient', { diagnosis: 'x' })).statusCode).toBe(400);
    const anon = await svc.app.inject({ method: 'POST', url: '/v1/appointments', payload: {} });
    expect(anon.statusCode).toBe(401);
  });

  it('applies a per-clinician schedule override set by an admin', async () => {
    const c2 = await seedUser(svc.deps, 'clinician');
    const admin = await seedUser(svc.deps, 'admin');
    const put = await svc.app.inject({
      method: 'PUT',
      url: `/v1/clinicians/${c2}/schedule`,
      headers: bearer(admin, 'admin'),
      payload: { workStart: '06:00', workEnd: '22:00', maxMinutes: 240, timeZone: 'UTC' },
    });
    expect(put.statusCode, put.body).toBe(200);
    const s = futureMonday(19, 0, 4);
    const r = await book(svc.app, patient, 'patient', {
      clinicianId: c2,
      start: s.toISOString(),
      end: plusMinutes(s, 180).toISOString(),
    });
    expect(r.statusCode, r.body).toBe(201);
    const byPatient = await svc.app.inject({
      method: 'PUT',
      url: `/v1/clinicians/${c2}/schedule`,
      headers: bearer(patient, 'patient'),
      payload: { workStart: '00:00' },
    });
    expect(byPatient.statusCode).toBe(403);
    const badTz = await svc.app.inject({
      method: 'PUT',
      url: `/v1/clinicians/${c2}/schedule`,
      headers: bearer(admin, 'admin'),
      payload: { timeZone: 'Nowhere/City' },
    });
    expect(fieldsOf(badTz)).toEqual(['timeZone']);
  });
});

describe('who sees which appointments', () => {
  it("shows a clinician their own schedule only, and refuses another clinician's", async () => {
    const c1 = await seedUser(svc.deps, 'clinician');
    const c2 = await seedUser(svc.deps, 'clinician');
    const s = futureMonday(15, 0, 5);
    const r = await book(svc.app, patient, 'patient', {
      clinicianId: c1,
      start: s.toISOString(),
      end: plusMinutes(s, 30).toISOString(),
      reason: 'rash',
    });
    expect(r.statusCode).toBe(201);
    const own = await svc.app.inject({ url: '/v1/appointments', headers: bearer(c1, 'clinician') });
    expect(own.json().items.map((i: { id: string }) => i.id)).toEqual([r.json().id]);
    expect(own.json().items[0].reason).toBe('rash');
    const other = await svc.app.inject({ url: '/v1/appointments', headers: bearer(c2, 'clinician') });
    expect(other.json().items).toEqual([]);
    const spying = await svc.app.inject({
      url: `/v1/appointments?clinicianId=${c1}`,
      headers: bearer(c2, 'clinician'),
    });
    expect(spying.statusCode).toBe(403);
    const direct = await svc.app.inject({ url: `/v1/appointments/${r.json().id}`, headers: bearer(c2, 'clinician') });
    expect(direct.statusCode).toBe(404);
    const admin = await seedUser(svc.deps, 'admin');
    const asAdmin = await svc.app.inject({ url: `/v1/appointments/${r.json().id}`, headers: bearer(admin, 'admin') });
    expect(asAdmin.statusCode).toBe(200);
    expect(asAdmin.json().reason).toBeUndefined();
  });

  it("pages a patient's own appointments with a cursor and date filters", async () => {
    const p = await seedUser(svc.deps, 'patient');
    const c = await seedUser(svc.deps, 'clinician');
    const first = futureMonday(8, 0, 6);
    for (let i = 0; i < 3; i++) {
      const s = plusMinutes(first, i * 60);
      const r = await book(svc.app, p, 'patient', {
        clinicianId: c,
        patientId: p,
        start: s.toISOString(),
        end: plusMinutes(s, 30).toISOString(),
      });
      expect(r.statusCode).toBe(201);
    }
    const page1 = await svc.app.inject({ url: '/v1/appointments?limit=2', headers: bearer(p, 'patient') });
    expect(page1.json().items).toHaveLength(2);
    const page2 = await svc.app.inject({
      url: `/v1/appointments?limit=2&cursor=${page1.json().nextCursor}`,
      headers: bearer(p, 'patient'),
    });
    expect(page2.json().items.map((i: { start: string }) => i.start)).toEqual([plusMinutes(first, 120).toISOString()]);
    expect(page2.json().nextCursor).toBeNull();
    const from = encodeURIComponent(plusMinutes(first, 50).toISOString());
    const filtered = await svc.app.inject({ url: `/v1/appointments?from=${from}`, headers: bearer(p, 'patient') });
    expect(filtered.json().items).toHaveLength(2);
    const other = await svc.app.inject({ url: `/v1/appointments?patientId=${patient}`, headers: bearer(p, 'patient') });
    expect(other.statusCode).toBe(403);
  });
});

describe('reschedule, cancel and the care relationship', () => {
  it('reschedules into a free slot, refuses a taken one, and emits rescheduled', async () => {
    const c = await seedUser(svc.deps, 'clinician');
    const s = futureMonday(10, 0, 7);
    const mk = (start: Date) =>
      book(svc.app, patient, 'patient', {
        clinicianId: c,
        start: start.toISOString(),
        end: plusMinutes(start, 30).toISOString(),
      });
    const one = (await mk(s)).json();
    await mk(plusMinutes(s, 60));
    const taken = await svc.app.inject({
      method: 'PATCH',
      url: `/v1/appointments/${one.id}`,
      headers: bearer(patient, 'patient'),
      payload: { start: plusMinutes(s, 60).toISOString(), end: plusMinutes(s, 90).toISOString() },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe('SLOT_TAKEN');
    const moved = await svc.app.inject({
      method: 'PATCH',
      url: `/v1/appointments/${one.id}`,
      headers: bearer(c, 'clinician'),
      payload: { start: plusMinutes(s, 15).toISOString(), end: plusMinutes(s, 45).toISOString() },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().start).toBe(plusMinutes(s, 15).toISOString());
    const e = await tap.waitFor('appointment.rescheduled', (x) => x.data.appointmentId === one.id);
    expect(e.data.previousStart).toBe(s.toISOString());
  });

  it('ends the care relationship at once when the grace period is 0 and no future appointment remains', async () => {
    const c = await seedUser(graceless.deps, 'clinician');
    const s = futureMonday(16, 0, 8);
    const appt = (
      await book(graceless.app, patient, 'patient', {
        clinicianId: c,
        start: s.toISOString(),
        end: plusMinutes(s, 30).toISOString(),
      })
    ).json();
    const res = await graceless.app.inject({
      method: 'POST',
      url: `/v1/appointments/${appt.id}/cancel`,
      headers: bearer(patient, 'patient'),
    });
    expect(res.json().status).toBe('cancelled');
    await tap.waitFor('appointment.cancelled', (x) => x.data.appointmentId === appt.id);
    await tap.waitFor('care.relationship_ended', (x) => x.data.clinicianId === c && x.data.patientId === patient);
    const again = await graceless.app.inject({
      method: 'POST',
      url: `/v1/appointments/${appt.id}/cancel`,
      headers: bearer(patient, 'patient'),
    });
    expect(again.statusCode).toBe(200);
    const cancels = (await tap.events()).filter(
      (x) => x.type === 'appointment.cancelled' && (x.data as { appointmentId: string }).appointmentId === appt.id,
    );
    expect(cancels).toHaveLength(1);
  });

  it('ends the care relationship at once on cancellation even with a grace period: the grace runs after an appointment ends, never after a cancellation', async () => {
    const c = await seedUser(svc.deps, 'clinician');
    const s = futureMonday(17, 0, 8);
    const appt = (
      await book(svc.app, patient, 'patient', {
        clinicianId: c,
        start: s.toISOString(),
        end: plusMinutes(s, 30).toISOString(),
      })
    ).json();
    await svc.app.inject({
      method: 'POST',
      url: `/v1/appointments/${appt.id}/cancel`,
      headers: bearer(patient, 'patient'),
    });
    await tap.waitFor('care.relationship_ended', (x) => x.data.clinicianId === c, 20_000);
    const real = svc.deps.now;
    svc.deps.now = () => new Date(Date.now() + 3 * 3600_000);
    try {
      expect(await endDueCare(svc.deps.ports)).toBe(0); // nothing was left pending
    } finally {
      svc.deps.now = real;
    }
  });
});
