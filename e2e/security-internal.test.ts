import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  call,
  createUser,
  isProblem,
  type TestUser,
  untilSettled,
  weekdayAhead,
} from './support/client.js';

/**
 * Pentest finding 12: internal ports accepted end-user tokens directly and trusted the client's
 * X-Forwarded-For (audit recorded actor IP 6.6.6.6), and direct hits left no access.denied.
 * Internal services now answer only requests carrying the gateway's signed assertion.
 */
const FORGED_IP = '6.6.6.6';
const host = process.env.HOST && process.env.HOST !== '0.0.0.0' ? process.env.HOST : '127.0.0.1';
const internal = (port: string | undefined, def: number) => `http://${host}:${port ?? def}`;
const PORTS = {
  files: internal(process.env.FILES_PORT, 8081),
  appointments: internal(process.env.APPOINTMENTS_PORT, 8084),
  notify: internal(process.env.NOTIFY_PORT, 8085),
  audit: internal(process.env.AUDIT_PORT, 8086),
};

let admin: string;
let patient: TestUser;
let clinician: TestUser;
let compliance: TestUser;
const startedAt = new Date(Date.now() - 5_000).toISOString();

type AuditItem = { action: string; requestId: string; actor?: { userId?: string; ip?: string } };

/** Audit records matching `q`, read through the gateway as compliance, until `pick` finds one. */
async function auditRecord(q: string, pick: (i: AuditItem) => boolean, timeoutMs = 30_000): Promise<AuditItem> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await call('GET', `/v1/audit/events?${q}&from=${startedAt}&limit=200`, { token: compliance.token });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const hit = (r.body.items as AuditItem[]).find(pick);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no audit record for ${q} (got ${r.body.items.length})`);
    await new Promise((res) => setTimeout(res, 500));
  }
}

beforeAll(async () => {
  admin = await adminToken();
  patient = await createUser(admin, 'patient', 'Pat Internal');
  clinician = await createUser(admin, 'clinician', 'Dr Internal');
  compliance = await createUser(admin, 'compliance', 'Comp Internal');
});

describe('internal ports accept the gateway only', () => {
  const direct: Record<string, { rid: string; userId: string }> = {};

  it.each([
    ['appointments', 'GET', '/v1/appointments'],
    ['files', 'GET', '/v1/files'],
    ['notify', 'GET', '/v1/notifications'],
    ['audit', 'GET', '/v1/audit/events'],
  ] as const)("refuses a real user's token sent straight to the %s port", async (service, method, path) => {
    const user = service === 'audit' ? compliance : patient;
    const token = user.token;
    const rid = `e2e-direct-${service}-${randomUUID()}`;
    direct[service] = { rid, userId: user.id };
    const r = await call(method, `${PORTS[service]}${path}`, {
      token,
      headers: { 'x-forwarded-for': FORGED_IP, 'x-request-id': rid },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(401);
    expect(isProblem(r)).toBe(true);
    // The same call through the gateway works.
    const ok = await untilSettled(() => call(method, path, { token }), [404]);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it('books through the gateway while a forged X-Forwarded-For never reaches the audit record', async () => {
    const day = weekdayAhead(2);
    const avail = await untilSettled(
      () => call('GET', `/v1/clinicians/${clinician.id}/availability?date=${day}`, { token: patient.token }),
      [404],
    );
    expect(avail.status, JSON.stringify(avail.body)).toBe(200);
    const slot = avail.body.slots[0];
    const body = { clinicianId: clinician.id, patientId: patient.id, start: slot.start, end: slot.end };
    const booked = await untilSettled(
      () =>
        call('POST', '/v1/appointments', {
          token: patient.token,
          json: body,
          headers: { 'x-forwarded-for': FORGED_IP },
        }),
      [422],
    );
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const rec = await auditRecord(`actorId=${patient.id}&action=appointment.booked`, () => true);
    expect(rec.actor?.ip).toBeDefined();
    expect(rec.actor?.ip).not.toBe(FORGED_IP);
  });

  it("leaves an access.denied in the audit log for each direct hit, naming the token's user and the real source address", async () => {
    for (const service of ['appointments', 'files', 'audit'] as const) {
      const hit = direct[service];
      expect(hit, 'the direct-hit test ran first').toBeDefined();
      const rec = await auditRecord('action=access.denied', (i) => i.requestId === hit!.rid);
      // Whose token was used outside the gateway, from where it really came.
      expect(rec.actor).toMatchObject({ userId: hit!.userId });
      expect(rec.actor?.ip).not.toBe(FORGED_IP);
    }
  });
});
