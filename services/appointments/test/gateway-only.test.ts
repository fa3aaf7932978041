import { generateKeyPairSync } from 'node:crypto';
import { GATEWAY_ASSERTION_HEADER } from '@medvault/common/auth';
import { newId } from '@medvault/common/ids';
import { type BusTap, gatewayHeaders, mintGatewayAssertion, openBusTap } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, futureMonday, instance, plusMinutes, scratchDb, seedUser } from './helpers.js';

// Pentest finding 12: a user's valid token sent straight to an internal port was accepted, the
// client picked its own X-Forwarded-For (audit actor IP 6.6.6.6) and nothing recorded the hit.

let svc: Awaited<ReturnType<typeof instance>>;
let tap: BusTap;

beforeAll(async () => {
  svc = await instance(scratchDb());
  tap = await openBusTap(['appointment.booked', 'access.denied']);
});

afterAll(async () => {
  await tap.close();
  await svc.deps.db.dropDatabase().catch(() => undefined);
  await svc.deps.close();
});

async function booking(weeksAhead: number) {
  const clinician = await seedUser(svc.deps, 'clinician');
  const patient = await seedUser(svc.deps, 'patient');
  const start = futureMonday(9, 0, weeksAhead);
  const payload = {
    clinicianId: clinician,
    patientId: patient,
    start: start.toISOString(),
    end: plusMinutes(start, 30).toISOString(),
  };
  return { clinician, patient, payload, headers: bearer(patient, 'patient') };
}

describe('appointments accepts requests through the gateway only', () => {
  it("refuses a patient's valid token sent straight to the port with a forged X-Forwarded-For, books nothing, and records access.denied", async () => {
    const b = await booking(3);
    const rid = newId('request');
    const res = await svc.app.direct({
      method: 'POST',
      url: '/v1/appointments',
      headers: { ...b.headers, 'x-forwarded-for': '6.6.6.6', 'x-request-id': rid },
      payload: b.payload,
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('UNAUTHENTICATED');
    const mine = await svc.app.inject({ method: 'GET', url: '/v1/appointments', headers: b.headers });
    expect(mine.json().items).toEqual([]);
    const denied = await tap.waitFor('access.denied', (e) => e.correlationId === rid);
    expect(denied.source).toBe('appointments');
    expect(denied.data).toMatchObject({ method: 'POST', route: '/v1/appointments' });
    expect(denied.data.reason).toContain('no gateway assertion');
    // The trail names whose token was used outside the gateway, and where the request really came
    // from (the socket), not the forged header.
    expect(denied.actor).toMatchObject({ userId: b.patient, role: 'patient', ip: '127.0.0.1' });
  });

  it('refuses forged, expired, wrong-audience, other-token, other-request and other-path assertions', async () => {
    const b = await booking(4);
    const other = await seedUser(svc.deps, 'patient');
    const { privateKey } = generateKeyPairSync('ed25519');
    const forgedKey = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const base = {
      audience: 'appointments',
      method: 'POST',
      url: '/v1/appointments',
      authorization: b.headers.authorization,
    };
    const cases: [string, (rid: string) => string][] = [
      ['signed with another key', (rid) => mintGatewayAssertion({ ...base, requestId: rid, privateKeyPem: forgedKey })],
      ['expired', (rid) => mintGatewayAssertion({ ...base, requestId: rid, nowMs: Date.now() - 120_000 })],
      ['for another service', (rid) => mintGatewayAssertion({ ...base, requestId: rid, audience: 'files' })],
      [
        "for another user's token",
        (rid) =>
          mintGatewayAssertion({ ...base, requestId: rid, authorization: bearer(other, 'patient').authorization }),
      ],
      ['for another request id', () => mintGatewayAssertion({ ...base, requestId: newId('request') })],
      ['for another path', (rid) => mintGatewayAssertion({ ...base, requestId: rid, url: '/v1/appointments?x=1' })],
      ['not a token at all', () => 'nope'],
    ];
    for (const [what, assertion] of cases) {
      const rid = newId('request');
      const res = await svc.app.direct({
        method: 'POST',
        url: '/v1/appointments',
        headers: { ...b.headers, 'x-request-id': rid, [GATEWAY_ASSERTION_HEADER]: assertion(rid) },
        payload: b.payload,
      });
      expect(res.statusCode, what).toBe(401);
      await tap.waitFor('access.denied', (e) => e.correlationId === rid);
    }
    const mine = await svc.app.inject({ method: 'GET', url: '/v1/appointments', headers: b.headers });
    expect(mine.json().items).toEqual([]);
  });

  it("records the client IP the gateway asserted, never the client's X-Forwarded-For", async () => {
    const b = await booking(5);
    const req = { method: 'POST', url: '/v1/appointments', headers: { ...b.headers, 'x-forwarded-for': '6.6.6.6' } };
    const res = await svc.app.direct({
      ...req,
      headers: { ...req.headers, ...gatewayHeaders('appointments', req, { clientIp: '203.0.113.5' }) },
      payload: b.payload,
    });
    expect(res.statusCode).toBe(201);
    const booked = await tap.waitFor('appointment.booked', (e) => e.data.appointmentId === res.json().id);
    expect(booked.actor?.ip).toBe('203.0.113.5');
  });

  it('refuses a direct request to an unknown path too (no route enumeration) but keeps ops probes open', async () => {
    const rid = newId('request');
    const res = await svc.app.direct({ method: 'GET', url: '/v1/nothing-here', headers: { 'x-request-id': rid } });
    expect(res.statusCode).toBe(401);
    const denied = await tap.waitFor('access.denied', (e) => e.correlationId === rid);
    expect(denied.actor).toMatchObject({ userId: 'anonymous', role: 'system' });
    expect(denied.data.route).toBe('unmatched');
    expect((await svc.app.direct({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    expect((await svc.app.direct({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
  });
});
