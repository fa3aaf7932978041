import { type BusTap, openBusTap } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endDueCare } from '../src/app/end-due-care.js';
import { resyncAllCare } from '../src/app/resync-care.js';
import { bearer, futureMonday, instance, plusMinutes, scratchDb, seedUser } from './helpers.js';

/**
 * CONTRACT.md "Care relationship": care comes only from something the clinician cannot create
 * alone — an appointment the patient booked or confirmed (until CARE_GRACE_HOURS after it ends;
 * cancelled or unconfirmed confers nothing) or an admin assignment.
 */
let svc: Awaited<ReturnType<typeof instance>>;
let tap: BusTap;
let admin: string;

beforeAll(async () => {
  svc = await instance(scratchDb(), { CARE_GRACE_HOURS: '2' });
  tap = await openBusTap(['appointment.booked', 'care.relationship_started', 'care.relationship_ended']);
  admin = await seedUser(svc.deps, 'admin');
});

afterAll(async () => {
  await tap.close();
  await svc.deps.db.dropDatabase().catch(() => undefined);
  await svc.deps.close();
});

type Role = 'patient' | 'clinician' | 'admin';
const as = (id: string, role: Role) => bearer(id, role);

async function book(who: [string, Role], clinicianId: string, patientId: string, weeks = 4, hh = 9) {
  const start = futureMonday(hh, 0, weeks);
  const res = await svc.app.inject({
    method: 'POST',
    url: '/v1/appointments',
    headers: as(...who),
    payload: {
      clinicianId,
      patientId,
      start: start.toISOString(),
      end: plusMinutes(start, 30).toISOString(),
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; confirmed: boolean; end: string };
}

const post = (url: string, who: [string, Role]) => svc.app.inject({ method: 'POST', url, headers: as(...who) });

const pairOf = (e: { data: unknown }, c: string, p: string) => {
  const d = e.data as { clinicianId?: string; patientId?: string };
  return d.clinicianId === c && d.patientId === p;
};

/** Care events seen on the bus for the pair, after the appointment.booked event made it through. */
async function careEventsAfterBooking(appointmentId: string, c: string, p: string) {
  await tap.waitFor('appointment.booked', (e) => e.data.appointmentId === appointmentId);
  await new Promise((r) => setTimeout(r, 1500)); // events of one request are published in order; leave slack
  return (await tap.events()).filter((e) => e.type.startsWith('care.') && pairOf(e, c, p));
}

describe('care relationship sources', () => {
  it('gives a clinician no care relationship when they book an arbitrary patient on their own schedule', async () => {
    const c = await seedUser(svc.deps, 'clinician');
    const victim = await seedUser(svc.deps, 'patient');
    // Years ahead, as in the pentest: the booking is a proposal, nothing more.
    const appt = await book([c, 'clinician'], c, victim, 52 * 3);
    expect(await careEventsAfterBooking(appt.id, c, victim)).toEqual([]);
    expect(appt.confirmed).toBe(false);
  });

  it('starts care when the patient confirms the proposal, and lets neither the clinician nor an admin confirm it', async () => {
    const c = await seedUser(svc.deps, 'clinician');
    const p = await seedUser(svc.deps, 'patient');
    const appt = await book([c, 'clinician'], c, p);
    expect((await post(`/v1/appointments/${appt.id}/confirm`, [c, 'clinician'])).statusCode).toBe(403);
    expect((await post(`/v1/appointments/${appt.id}/confirm`, [admin, 'admin'])).statusCode).toBe(403);
    const other = await seedUser(svc.deps, 'patient');
    expect((await post(`/v1/appointments/${appt.id}/confirm`, [other, 'patient'])).statusCode).toBe(404);
    const ok = await post(`/v1/appointments/${appt.id}/confirm`, [p, 'patient']);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ confirmed: true, status: 'booked' });
    const started = await tap.waitFor('care.relationship_started', (e) => pairOf(e, c, p));
    expect(started.data).toMatchObject({ appointmentId: appt.id });
    expect(started.actor?.userId).toBe(p);
  });

  it('starts care at once when the patient books', async () => {
    const c = await seedUser(svc.deps, 'clinician');
    const p = await seedUser(svc.deps, 'patient');
    const appt = await book([p, 'patient'], c, p);
    expect(appt.confirmed).toBe(true);
    await tap.waitFor('care.relationship_started', (e) => pairOf(e, c, p) && e.data.appointmentId === appt.id);
  });

  it('ends care at once when a confirmed appointment is cancelled, with no grace window after the cancellation', async () => {
    const c = await seedUser(svc.deps, 'clinician');
    const p = await seedUser(svc.deps, 'patient');
    const appt = await book([p, 'patient'], c, p);
    await tap.waitFor('care.relationship_started', (e) => pairOf(e, c, p));
    const res = await post(`/v1/appointments/${appt.id}/cancel`, [c, 'clinician']);
    expect(res.statusCode).toBe(200);
    await tap.waitFor('care.relationship_ended', (e) => pairOf(e, c, p), 20_000);
  });

  it('voids the confirmation (and the care) when the clinician alone reschedules a confirmed appointment', async () => {
    const c = await seedUser(svc.deps, 'clinician');
    const p = await seedUser(svc.deps, 'patient');
    const appt = await book([p, 'patient'], c, p);
    await tap.waitFor('care.relationship_started', (e) => pairOf(e, c, p));
    const later = futureMonday(9, 0, 52 * 2);
    const res = await svc.app.inject({
      method: 'PATCH',
      url: `/v1/appointments/${appt.id}`,
      headers: as(c, 'clinician'),
      payload: { start: later.toISOString(), end: plusMinutes(later, 30).toISOString() },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().confirmed).toBe(false);
    await tap.waitFor('care.relationship_ended', (e) => pairOf(e, c, p), 20_000);
  });

  it('keeps care until CARE_GRACE_HOURS after the confirmed appointment ends, then ends it (injected clock)', async () => {
    const c = await seedUser(svc.deps, 'clinician');
    const p = await seedUser(svc.deps, 'patient');
    const appt = await book([p, 'patient'], c, p, 5, 11);
    const end = new Date(appt.end).getTime();
    const pending = () => svc.deps.db.collection('care_ends').findOne({ _id: `${c}:${p}` as never });
    expect((await pending())?.dueAt).toEqual(new Date(end + 2 * 3600_000));
    const real = svc.deps.now;
    try {
      svc.deps.now = () => new Date(end + 1 * 3600_000); // inside the 2 h grace: still in care
      await endDueCare(svc.deps.ports);
      expect((await pending())?.dueAt).toEqual(new Date(end + 2 * 3600_000));
      svc.deps.now = () => new Date(end + 2 * 3600_000 + 60_000);
      expect(await endDueCare(svc.deps.ports)).toBeGreaterThanOrEqual(1);
      expect(await pending()).toBeNull();
    } finally {
      svc.deps.now = real;
    }
    await tap.waitFor('care.relationship_ended', (e) => pairOf(e, c, p));
  });

  it('lets an admin assign a clinician to a patient and remove the assignment; nobody else may', async () => {
    const c = await seedUser(svc.deps, 'clinician');
    const p = await seedUser(svc.deps, 'patient');
    const url = `/v1/clinicians/${c}/patients/${p}`;
    for (const who of [
      [c, 'clinician'],
      [p, 'patient'],
    ] as [string, Role][]) {
      const res = await svc.app.inject({ method: 'PUT', url, headers: as(...who) });
      expect(res.statusCode, who[1]).toBe(403);
    }
    const put = await svc.app.inject({ method: 'PUT', url, headers: as(admin, 'admin') });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ clinicianId: c, patientId: p, assignedBy: admin });
    const started = await tap.waitFor('care.relationship_started', (e) => pairOf(e, c, p));
    expect(started.actor?.userId).toBe(admin);
    const list = await svc.app.inject({ url: `/v1/clinicians/${c}/patients`, headers: as(c, 'clinician') });
    expect(list.json().items.map((i: { patientId: string }) => i.patientId)).toEqual([p]);
    const del = await svc.app.inject({ method: 'DELETE', url, headers: as(admin, 'admin') });
    expect(del.statusCode).toBe(204);
    await tap.waitFor('care.relationship_ended', (e) => pairOf(e, c, p), 20_000);
  });

  it('re-syncs every pair from its legitimate sources, ending care an old clinician-only booking granted', async () => {
    const c = await seedUser(svc.deps, 'clinician');
    const victim = await seedUser(svc.deps, 'patient');
    const p = await seedUser(svc.deps, 'patient');
    await book([c, 'clinician'], c, victim, 9, 9); // stands for a booking made under the old rule
    await book([p, 'patient'], c, p, 9, 10);
    const result = await resyncAllCare(svc.deps.ports);
    expect(result.pairs).toBeGreaterThanOrEqual(2);
    await tap.waitFor('care.relationship_ended', (e) => pairOf(e, c, victim));
    const started = await tap.waitFor(
      'care.relationship_started',
      (e) => pairOf(e, c, p) && e.actor?.role === 'system',
    );
    expect(started.data).toMatchObject({ basis: 'appointment' });
  });
});
