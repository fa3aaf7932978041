import type { Role } from '@medvault/common/auth';
import { createEvent, type Envelope } from '@medvault/common/events';
import { unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHandlers } from '../src/messaging/handlers.js';
import { bearer, expectProblem, type Harness, harness } from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.close();
});

interface Someone {
  id: string;
  name: string;
  token: string;
}

/** A user with a display name of its own, created by the admin and signed in. */
async function someone(role: Role, name: string): Promise<Someone> {
  const email = `${unique(role)}@medvault.test`;
  const password = 'People-Password-123!';
  const created = await h.app.inject({
    method: 'POST',
    url: '/v1/users',
    headers: bearer(h.adminToken),
    payload: { email, password, role, name },
  });
  expect(created.statusCode, created.body).toBe(201);
  const l = await h.login(email, password);
  return { id: created.json().id, name, token: l.body.accessToken as string };
}

/** Delivers a care event as the gateway's queue consumer would. */
async function care(clinicianId: string, patientId: string, active: boolean, source = 'appointments') {
  const e = active
    ? createEvent(
        'care.relationship_started',
        { clinicianId, patientId, basis: 'assignment' },
        { correlationId: 't', source },
      )
    : createEvent('care.relationship_ended', { clinicianId, patientId }, { correlationId: 't', source });
  const handler = buildHandlers(h.deps)[e.type] as (e: Envelope, c: unknown) => Promise<void>;
  await handler(e, { logger: h.deps.logger, receiveCount: 1 });
}

const people = async (who: { token: string }, query = '') => {
  const res = await h.app.inject({ url: `/v1/people${query}`, headers: bearer(who.token) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as { id: string; name: string; role: string; inCare: boolean }[];
};

describe('GET /v1/people (the people picker)', () => {
  let drA: Someone;
  let drB: Someone;
  let drGone: Someone;
  let pat: Someone;
  let otherPat: Someone;
  let goneInCare: Someone;
  let compliance: Someone;

  beforeAll(async () => {
    drA = await someone('clinician', 'Dr Alma Aalto');
    drB = await someone('clinician', 'Dr Bo Berg');
    drGone = await someone('clinician', 'Dr Gone Away');
    pat = await someone('patient', 'Pia Patient');
    otherPat = await someone('patient', 'Otto Other');
    goneInCare = await someone('patient', 'Gus Gone');
    compliance = await someone('compliance', 'Cora Compliance');
    await care(drA.id, pat.id, true);
    await care(drGone.id, pat.id, true);
    await care(drA.id, goneInCare.id, true);
    for (const u of [drGone, goneInCare]) {
      const res = await h.app.inject({
        method: 'PATCH',
        url: `/v1/users/${u.id}`,
        headers: bearer(h.adminToken),
        payload: { active: false },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
  });

  it('shows a patient their care team first-class and the other active clinicians, by name and nothing more', async () => {
    const items = await people(pat);
    expect(items).toEqual([
      { id: drA.id, name: 'Dr Alma Aalto', role: 'clinician', inCare: true },
      { id: drB.id, name: 'Dr Bo Berg', role: 'clinician', inCare: false },
    ]);
  });

  it('never shows a patient another patient, an admin, a compliance officer or a deactivated clinician', async () => {
    const ids = (await people(pat)).map((p) => p.id);
    for (const hidden of [otherPat, goneInCare, compliance, drGone]) expect(ids).not.toContain(hidden.id);
    expect(JSON.stringify(await people(pat))).not.toMatch(/@medvault\.test|email|Bootstrap admin/);
  });

  it("narrows a patient's list to the clinicians who have them in care (who they may message)", async () => {
    expect((await people(pat, '?inCare=true')).map((p) => p.id)).toEqual([drA.id]);
  });

  it('shows a clinician only the patients in their care (active ones) and their colleagues, never themself', async () => {
    const items = await people(drA);
    expect(items).toEqual([
      { id: drB.id, name: 'Dr Bo Berg', role: 'clinician', inCare: false },
      { id: pat.id, name: 'Pia Patient', role: 'patient', inCare: true },
    ]);
    expect((await people(drB, '?role=patient')).map((p) => p.id)).toEqual([]);
  });

  it('drops a patient from the list when the care relationship ends', async () => {
    await care(drB.id, otherPat.id, true);
    expect((await people(drB, '?role=patient')).map((p) => p.id)).toEqual([otherPat.id]);
    await care(drB.id, otherPat.id, false);
    expect((await people(drB, '?role=patient')).map((p) => p.id)).toEqual([]);
  });

  it('ignores care announced by any service but appointments', async () => {
    await care(drB.id, otherPat.id, true, 'chat');
    expect((await people(drB, '?role=patient')).map((p) => p.id)).toEqual([]);
    expect((await people(otherPat, '?inCare=true')).map((p) => p.id)).toEqual([]);
  });

  it('refuses admins and compliance officers with 403 (admins list users at /v1/users)', async () => {
    for (const token of [h.adminToken, compliance.token]) {
      const res = await h.app.inject({ url: '/v1/people', headers: bearer(token) });
      expect(expectProblem(res, 403).code).toBe('FORBIDDEN');
    }
  });

  it('refuses an anonymous caller with 401 and a filter it does not know with 400', async () => {
    expect(expectProblem(await h.app.inject({ url: '/v1/people' }), 401).code).toBe('UNAUTHENTICATED');
    const bad = await h.app.inject({ url: '/v1/people?role=admin', headers: bearer(pat.token) });
    expect(expectProblem(bad, 400).code).toBe('VALIDATION_FAILED');
  });
});
