import { beforeAll, describe, expect, it } from 'vitest';
import { adminToken, call, createUser, isProblem, type TestUser } from './support/client.js';

/**
 * Gateway findings of the outside pentest (issue 14), replayed against the running stack.
 * Findings 7 (account lock-out) and 13 (anonymous flood) need several source addresses or would
 * spend the shared loopback address's anonymous budget for the other e2e files: they are
 * reproduced in services/gateway/test (login-throttle, anonymous-flood) instead.
 */
let admin: string;
let compliance: TestUser;
let patient: TestUser;

beforeAll(async () => {
  admin = await adminToken();
  compliance = await createUser(admin, 'compliance');
  patient = await createUser(admin, 'patient');
});

describe('finding 15: weak passwords', () => {
  it.each(['aaaaaaaaaaaa', 'password1234', 'MedVault-2026-login'])('refuses to create a user with %s', async (pw) => {
    const email = `weak-${Date.now().toString(36)}@e2e.medvault.test`;
    const r = await call('POST', '/v1/users', {
      token: admin,
      json: { email, password: pw, role: 'patient', name: 'Weak Pw' },
    });
    expect(r.status).toBe(400);
    expect(isProblem(r)).toBe(true);
    expect(r.body.errors.map((e: { field: string }) => e.field)).toContain('password');
    expect(r.raw.toString()).not.toContain(pw);
  });
});

describe('finding 17: client-chosen request ids', () => {
  it('records the gateway-minted request id, keeping the client id only as a hint', async () => {
    const forged = `e2e-forged-${Date.now()}`;
    const r = await call('GET', '/v1/me', { token: patient.token, headers: { 'x-request-id': forged } });
    expect(r.status).toBe(200);
    const minted = r.headers.get('x-request-id');
    expect(minted).toMatch(/^req_/);
    const deadline = Date.now() + 30_000;
    let record: { requestId: string; data: { clientRequestId?: string } } | undefined;
    while (!record && Date.now() < deadline) {
      const q = await call('GET', `/v1/audit/events?actorId=${patient.id}&action=request.completed&limit=100`, {
        token: compliance.token,
      });
      record = q.body.items?.find((i: { data: { clientRequestId?: string } }) => i.data.clientRequestId === forged);
      if (!record) await new Promise((res) => setTimeout(res, 300));
    }
    expect(record, 'audit record of the request').toBeDefined();
    expect(record!.requestId).toBe(minted);
    expect(record!.requestId).not.toBe(forged);
  });
});

describe('finding 18: public readiness', () => {
  it('says up or down only, nothing about the infrastructure behind it', async () => {
    const r = await call('GET', '/health/ready');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok' });
    expect(r.raw.toString()).not.toMatch(/arn:|Policy|sqs|sns/);
  });
});
