import { type BusTap, openBusTap } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, futureMonday, instance, plusMinutes, scratchDb, seedUser } from './helpers.js';

const db = scratchDb();
let a: Awaited<ReturnType<typeof instance>>;
let b: Awaited<ReturnType<typeof instance>>;
let tap: BusTap;

beforeAll(async () => {
  a = await instance(db);
  b = await instance(db);
  tap = await openBusTap(['appointment.booked', 'care.relationship_started']);
});

afterAll(async () => {
  await tap.close();
  await a.deps.db.dropDatabase().catch(() => undefined);
  await Promise.all([a.deps.close(), b.deps.close()]);
});

describe('booking without double booking', () => {
  it('lets exactly one of 20 concurrent bookings of one slot through two instances win; the rest get 409 SLOT_TAKEN', async () => {
    const clinician = await seedUser(a.deps, 'clinician');
    const patients = await Promise.all(Array.from({ length: 20 }, () => seedUser(a.deps, 'patient')));
    const start = futureMonday(10);
    // An earlier booking creates the schedule document, so the race runs on the version compare-and-set
    // (not only on the first insert's unique _id).
    const warmup = await a.app.inject({
      method: 'POST',
      url: '/v1/appointments',
      headers: bearer(patients[0]!, 'patient'),
      payload: {
        clinicianId: clinician,
        patientId: patients[0],
        start: plusMinutes(start, 120).toISOString(),
        end: plusMinutes(start, 150).toISOString(),
      },
    });
    expect(warmup.statusCode).toBe(201);
    const results = await Promise.all(
      patients.map((patientId, i) =>
        (i % 2 === 0 ? a.app : b.app).inject({
          method: 'POST',
          url: '/v1/appointments',
          headers: bearer(patientId, 'patient'),
          payload: {
            clinicianId: clinician,
            patientId,
            start: start.toISOString(),
            end: plusMinutes(start, 30).toISOString(),
          },
        }),
      ),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of results.filter((x) => x.statusCode === 409)) expect(r.json().code).toBe('SLOT_TAKEN');

    const admin = await seedUser(a.deps, 'admin');
    const list = await a.app.inject({
      url: `/v1/appointments?clinicianId=${clinician}`,
      headers: bearer(admin, 'admin'),
    });
    expect(list.json().items.map((i: { start: string }) => i.start)).toEqual([
      start.toISOString(),
      plusMinutes(start, 120).toISOString(),
    ]);
  });

  it('refuses an overlapping (not identical) interval but accepts the adjacent one', async () => {
    const clinician = await seedUser(a.deps, 'clinician');
    const patient = await seedUser(a.deps, 'patient');
    const start = futureMonday(11);
    const book = (s: Date, e: Date) =>
      a.app.inject({
        method: 'POST',
        url: '/v1/appointments',
        headers: bearer(patient, 'patient'),
        payload: { clinicianId: clinician, patientId: patient, start: s.toISOString(), end: e.toISOString() },
      });
    expect((await book(start, plusMinutes(start, 30))).statusCode).toBe(201);
    expect((await book(plusMinutes(start, 15), plusMinutes(start, 45))).statusCode).toBe(409);
    expect((await book(plusMinutes(start, 30), plusMinutes(start, 60))).statusCode).toBe(201);
  });

  it('returns times in UTC for a request with an offset, and emits booked + care started without the reason', async () => {
    const clinician = await seedUser(a.deps, 'clinician');
    const patient = await seedUser(a.deps, 'patient');
    const start = futureMonday(12);
    const local = (d: Date) => new Date(d.getTime() + 2 * 3600_000).toISOString().replace('.000Z', '+02:00');
    const res = await a.app.inject({
      method: 'POST',
      url: '/v1/appointments',
      headers: bearer(patient, 'patient'),
      payload: {
        clinicianId: clinician,
        patientId: patient,
        start: local(start),
        end: local(plusMinutes(start, 20)),
        reason: 'persistent cough',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const appt = res.json();
    expect(appt).toMatchObject({
      start: start.toISOString(),
      end: plusMinutes(start, 20).toISOString(),
      status: 'booked',
      reason: 'persistent cough',
    });
    const booked = await tap.waitFor('appointment.booked', (e) => e.data.appointmentId === appt.id);
    expect(booked.data).toEqual({
      appointmentId: appt.id,
      clinicianId: clinician,
      patientId: patient,
      start: appt.start,
      end: appt.end,
    });
    expect(JSON.stringify(booked)).not.toContain('cough');
    const care = await tap.waitFor('care.relationship_started', (e) => e.data.appointmentId === appt.id);
    expect(care.data).toEqual({
      clinicianId: clinician,
      patientId: patient,
      appointmentId: appt.id,
      basis: 'appointment',
    });
  });

  it("shows free slots without the booked one, in the caller's time zone", async () => {
    const clinician = await seedUser(a.deps, 'clinician');
    const patient = await seedUser(a.deps, 'patient');
    const start = futureMonday(9);
    await a.app.inject({
      method: 'POST',
      url: '/v1/appointments',
      headers: bearer(patient, 'patient'),
      payload: {
        clinicianId: clinician,
        patientId: patient,
        start: start.toISOString(),
        end: plusMinutes(start, 30).toISOString(),
      },
    });
    const date = start.toISOString().slice(0, 10);
    const res = await b.app.inject({
      url: `/v1/clinicians/${clinician}/availability?date=${date}`,
      headers: bearer(patient, 'patient'),
    });
    expect(res.statusCode, res.body).toBe(200);
    const starts = res.json().slots.map((s: { start: string }) => s.start);
    expect(starts).toHaveLength(19); // 08:00-18:00 in 30-minute slots, minus the booked one
    expect(starts).not.toContain(start.toISOString());
    expect(starts).toContain(plusMinutes(start, 30).toISOString());
    const ny = await b.app.inject({
      url: `/v1/clinicians/${clinician}/availability?date=${date}&tz=America/New_York`,
      headers: bearer(patient, 'patient'),
    });
    expect(ny.json().timeZone).toBe('America/New_York');
    const bad = await b.app.inject({
      url: `/v1/clinicians/${clinician}/availability?date=${date}&tz=Mars/Base`,
      headers: bearer(patient, 'patient'),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('tz');
  });
});
