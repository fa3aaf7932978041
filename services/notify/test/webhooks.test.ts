import { newId } from '@medvault/common/ids';
import { eventually, unique } from '@medvault/common/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verify } from '../src/domain/signature.js';
import { bearer, event, type Instance, instance, receiver, scratch, seedUser } from './helpers.js';

let svc: Instance;
let admin: string;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  svc = await instance(scratch(), unique('notify-live-test'), {
    WEBHOOK_POLL_MS: '50',
    WEBHOOK_BACKOFF_BASE_MS: '50',
    WEBHOOK_BACKOFF_MAX_MS: '200',
    WEBHOOK_DISABLE_AFTER: '3',
    WEBHOOK_MAX_ATTEMPTS: '5',
    // The receivers below listen on loopback: the only place the dev allow-list is used.
    WEBHOOK_ALLOW_PRIVATE_HOSTS: '127.0.0.1',
    SMTP_PORT: '1', // no SMTP here: these users have no email address anyway
  });
  admin = await seedUser(svc, 'admin');
  svc.deps.webhooks.start();
});

afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await svc.deps.db.collection('webhooks').deleteMany({});
});

afterAll(async () => {
  await svc.deps.webhooks.stop();
  await svc.deps.db.dropDatabase().catch(() => undefined);
  await svc.deps.close();
});

async function configure(url: string, orgId: string) {
  const res = await svc.app.inject({
    method: 'PUT',
    url: '/v1/notifications/webhooks',
    headers: bearer(admin, 'admin'),
    payload: { orgId, url },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { secret: string; orgId: string };
}

describe('webhooks', () => {
  it('retries a receiver that fails twice, then delivers the event once with a valid signature and no PHI', async () => {
    const rx = await receiver((n) => (n <= 2 ? 500 : 200));
    closers.push(rx.close);
    const { secret, orgId } = await configure(rx.url, unique('org'));
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const grantId = newId('grant');
    const e = event('access.emergency_granted', {
      grantId,
      patientId: newId('user'),
      reason: 'car accident, unconscious',
      expiresAt: '2031-01-01T00:00:00.000Z',
    });
    await svc.handle(e);
    await svc.handle(e); // redelivered event: still one delivery

    await eventually('a successful delivery', () => rx.hits.some((h) => h.status === 200), { timeoutMs: 10_000 });
    const delivery = await eventually(
      'the delivery marked sent',
      async () =>
        (await svc.deps.db.collection('deliveries').findOne({ eventId: e.id, recipientId: orgId, status: 'sent' })) ??
        undefined,
    );
    expect(delivery.attempts).toBe(3);
    expect(rx.hits.map((h) => h.status)).toEqual([500, 500, 200]);
    const ok = rx.hits[2]!;
    expect(verify(secret, ok.body, String(ok.headers['x-medvault-signature']), Math.floor(Date.now() / 1000))).toBe(
      true,
    );
    expect(
      verify(
        'another-secret-another-secret-xx',
        ok.body,
        String(ok.headers['x-medvault-signature']),
        Math.floor(Date.now() / 1000),
      ),
    ).toBe(false);
    expect(ok.headers['x-medvault-event-id']).toBe(e.id);
    expect(JSON.parse(ok.body)).toEqual({
      id: e.id,
      type: 'access.emergency_granted',
      occurredAt: e.occurredAt,
      data: { grantId, patientId: (e.data as { patientId: string }).patientId, expiresAt: '2031-01-01T00:00:00.000Z' },
    });
    expect(ok.body).not.toContain('unconscious');
  });

  it('disables a webhook after repeated consecutive failures and abandons its pending deliveries', async () => {
    const rx = await receiver(() => 503);
    closers.push(rx.close);
    const { orgId } = await configure(rx.url, unique('org'));
    await svc.handle(event('file.available', { fileId: newId('file'), ownerId: newId('user') }));
    await svc.handle(event('file.available', { fileId: newId('file'), ownerId: newId('user') }));
    const hook = await eventually(
      'the webhook disabled',
      async () => {
        const h = await svc.deps.db.collection('webhooks').findOne({ _id: orgId as never });
        return h && h.active === false ? h : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(hook.consecutiveFailures).toBe(3);
    const attempts = rx.hits.length;
    expect(attempts).toBe(3);
    const pending = await svc.deps.db
      .collection('deliveries')
      .countDocuments({ recipientId: orgId, status: 'pending' });
    expect(pending).toBe(0);
    const list = await svc.app.inject({ url: '/v1/notifications/webhooks', headers: bearer(admin, 'admin') });
    expect(list.json().items.find((h: { orgId: string }) => h.orgId === orgId)).toMatchObject({ active: false });
    expect(JSON.stringify(list.json())).not.toContain('secret');
  });

  it('lets only admins configure webhooks, and only with an http(s) url', async () => {
    const patient = await seedUser(svc, 'patient');
    const asPatient = await svc.app.inject({
      method: 'PUT',
      url: '/v1/notifications/webhooks',
      headers: bearer(patient, 'patient'),
      payload: { url: 'http://127.0.0.1:9/x' },
    });
    expect(asPatient.statusCode).toBe(403);
    const bad = await svc.app.inject({
      method: 'PUT',
      url: '/v1/notifications/webhooks',
      headers: bearer(admin, 'admin'),
      payload: { url: 'file:///etc/passwd' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('url');
  });
});
