import { eventually } from '@medvault/common/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminToken, call, createUser, GATEWAY, type TestUser } from './support/client.js';
import { DLQ_SERVICE, deadLetterDepth, putDeadLetters } from './support/dead-letters.js';

/**
 * Dead-letter queues through the gateway on the running stack: an admin sees a service's dead
 * letters, redrives them, and the service acknowledges them; compliance finds the redrive in
 * the audit log. Letters go to the gateway's own DLQ (support/dead-letters.ts says why).
 */
let admin: TestUser;
let compliance: TestUser;

interface Item {
  service: string;
  waiting: number;
  lastRedrive?: { running: boolean; status: string; moved: number };
}
const queues = async (token = admin.token) => {
  const r = await call('GET', '/v1/admin/dead-letters', { token });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items as Item[];
};
const gatewayQueue = async () => (await queues()).find((q) => q.service === DLQ_SERVICE);
const redrive = (service: string, opts: { token?: string; json?: unknown; headers?: Record<string, string> } = {}) =>
  call('POST', `/v1/admin/dead-letters/${service}/redrive`, { token: admin.token, json: {}, ...opts });

beforeAll(async () => {
  const root = await adminToken();
  [admin, compliance] = await Promise.all([createUser(root, 'admin'), createUser(root, 'compliance')]);
  // A redrive of an earlier run may still be moving: start from a settled queue.
  await eventually('no redrive running', async () => (await gatewayQueue())?.lastRedrive?.running !== true, {
    timeoutMs: 30_000,
  });
});

describe('dead-letter queues (admin)', () => {
  it('lists every service’s dead-letter queue with its waiting letters, and the letters put into one', async () => {
    const before = await deadLetterDepth();
    await putDeadLetters(2);
    const items = await queues();
    expect(items.map((q) => q.service)).toEqual(
      expect.arrayContaining(['gateway', 'files', 'scanner', 'watermark', 'appointments', 'notify', 'audit', 'chat']),
    );
    expect(items.find((q) => q.service === DLQ_SERVICE)?.waiting).toBe(before + 2);
  });

  it('redrives the letters back to the service, which acknowledges them, and the DLQ stays empty', async () => {
    if ((await deadLetterDepth()) === 0) await putDeadLetters(2);
    const r = await redrive(DLQ_SERVICE, { json: { rate: 50 } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.task.toMove).toBeGreaterThan(0);
    const done = await eventually('the redrive completed', async () => {
      const q = await gatewayQueue();
      return q?.lastRedrive?.status === 'COMPLETED' && q;
    });
    expect(done.waiting).toBe(0);
    expect(done.lastRedrive?.moved).toBe(r.body.task.toMove);
    // The gateway's consumer acknowledged them (valid events it has no handler for): none come back.
    await new Promise((ok) => setTimeout(ok, 3000));
    expect(await deadLetterDepth()).toBe(0);
  });

  it('records the redrive in the audit log, with the admin who started it', async () => {
    await putDeadLetters(1);
    const r = await redrive(DLQ_SERVICE);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const record = await eventually(
      'the redrive in the audit log',
      async () => {
        const q = await call('GET', `/v1/audit/events?actorId=${admin.id}&action=queue.redrive_started&limit=10`, {
          token: compliance.token,
        });
        return q.status === 200 && q.body.items[0];
      },
      { timeoutMs: 30_000 },
    );
    expect(record).toMatchObject({
      action: 'queue.redrive_started',
      actor: { userId: admin.id, role: 'admin' },
      resource: { type: 'dead_letter_queue', id: `medvault-${DLQ_SERVICE}-dlq` },
      outcome: 'success',
    });
    await eventually(
      'the audited redrive finished',
      async () => (await gatewayQueue())?.lastRedrive?.running === false,
    );
  });

  it('refuses a second redrive while one is still moving letters (409)', async () => {
    await putDeadLetters(4);
    const first = await redrive(DLQ_SERVICE, { json: { rate: 1 } });
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const second = await redrive(DLQ_SERVICE);
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('CONFLICT');
    await eventually('the slow redrive finished', async () => (await gatewayQueue())?.lastRedrive?.running === false, {
      timeoutMs: 30_000,
    });
  });

  it('answers 404 for a service that has no dead-letter queue', async () => {
    const r = await redrive('nosuchservice');
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('NOT_FOUND');
  });

  it('refuses patients, clinicians and compliance officers, reading or redriving', async () => {
    const root = await adminToken();
    for (const role of ['patient', 'clinician', 'compliance']) {
      const u = role === 'compliance' ? compliance : await createUser(root, role);
      expect((await call('GET', '/v1/admin/dead-letters', { token: u.token })).status, role).toBe(403);
      expect((await redrive(DLQ_SERVICE, { token: u.token })).status, role).toBe(403);
    }
  });

  it('refuses a browser-session redrive without the CSRF token', async () => {
    const s = await fetch(`${GATEWAY}/v1/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: admin.email, password: admin.password }),
    });
    expect(s.status).toBe(200);
    const cookie = s.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const r = await call('POST', `/v1/admin/dead-letters/${DLQ_SERVICE}/redrive`, { headers: { cookie }, json: {} });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('FORBIDDEN');
  });
});
