import { lookup } from 'node:dns/promises';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { hostname } from 'node:os';
import { newId } from '@medvault/common/ids';
import { unique } from '@medvault/common/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, event, type Instance, instance, scratch, seedUser } from './helpers.js';

// Production settings: no WEBHOOK_ALLOW_PRIVATE_HOSTS, so every internal address is refused.
let svc: Instance;
let admin: string;

beforeAll(async () => {
  svc = await instance(scratch(), unique('notify-ssrf-test'), { SMTP_PORT: '1', WEBHOOK_TIMEOUT_MS: '1000' });
  admin = await seedUser(svc, 'admin');
});

afterEach(async () => {
  await svc.deps.db.collection('webhooks').deleteMany({});
  await svc.deps.db.collection('deliveries').deleteMany({});
});

afterAll(async () => {
  await svc.deps.db.dropDatabase().catch(() => undefined);
  await svc.deps.close();
});

const put = (url: string, orgId = unique('org'), as = { id: admin, role: 'admin' as const }) =>
  svc.app.inject({
    method: 'PUT',
    url: '/v1/notifications/webhooks',
    headers: bearer(as.id, as.role),
    payload: { orgId, url },
  });

// Loopback in every notation the pentest used, then the other internal ranges.
const internal = [
  '127.1',
  '2130706433',
  '0x7f000001',
  '0177.0.0.1',
  '[::ffff:127.0.0.1]',
  '0.0.0.0',
  'localhost',
  'api.localhost',
  '127.0.0.1',
  '[::1]',
  '[::]',
  '169.254.169.254',
  '[::ffff:169.254.169.254]',
  '[fe80::1]',
  '10.0.0.5',
  '172.16.3.4',
  '192.168.1.1',
  '100.64.0.1',
  '[fd00::1]',
  '[64:ff9b::7f00:1]',
  '224.0.0.1',
  '255.255.255.255',
  '240.0.0.1',
];

describe('webhook SSRF', () => {
  it.each(internal.flatMap((h) => [`https://${h}/hook`, `http://${h}:8085/hook`]))(
    'refuses to register a webhook to the internal address %s',
    async (url) => {
      const orgId = unique('org');
      const res = await put(url, orgId);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().errors[0].field).toBe('url');
      expect(await svc.deps.db.collection('webhooks').findOne({ _id: orgId as never })).toBeNull();
    },
  );

  it('refuses plain http to a public address (webhook payloads travel over TLS)', async () => {
    const res = await put('http://93.184.215.14/hook');
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().errors[0].field).toBe('url');
  });

  it('accepts an https webhook on a public address', async () => {
    const res = await put('https://93.184.215.14/hook');
    expect(res.statusCode, res.body).toBe(200);
  });

  it('never opens a connection to an internal address at delivery time, whatever the stored url or what its name resolves to', async () => {
    // A real listener on loopback: the webhook must never reach it. The rows are written
    // directly, as a URL stored before the check or a name re-pointed at loopback (rebinding) would be.
    let connections = 0;
    const server: Server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      // This machine's own name goes through real DNS (/etc/hosts, not modified) to loopback here:
      // it exercises the resolve-then-vet path, not the name check. Used only where it does resolve to 127/8.
      const own = await lookup(hostname(), { all: true }).catch(() => []);
      const ownName = own.length > 0 && own.every((a) => a.address.startsWith('127.')) ? [hostname()] : [];
      const urls = [
        ...ownName.map((n) => `http://${n}:${port}/hook`),
        `http://localhost:${port}/hook`,
        `http://127.1:${port}/hook`,
        `http://2130706433:${port}/hook`,
        `http://[::ffff:127.0.0.1]:${port}/hook`,
        `https://localhost:${port}/hook`,
      ];
      const at = new Date();
      const orgs = urls.map(() => unique('org'));
      await svc.deps.db.collection('webhooks').insertMany(
        urls.map((url, i) => ({
          _id: orgs[i] as never,
          url,
          secret: 'x'.repeat(32),
          eventTypes: null,
          active: true,
          consecutiveFailures: 0,
          createdAt: at,
          updatedAt: at,
        })),
      );
      await svc.handle(event('file.available', { fileId: newId('file'), ownerId: newId('user') }));
      const attempted = await svc.deps.webhooks.runOnce();
      expect(attempted).toBe(urls.length);
      const rows = await svc.deps.db
        .collection('deliveries')
        .find({ channel: 'webhook', recipientId: { $in: orgs } })
        .toArray();
      expect(rows).toHaveLength(urls.length);
      for (const r of rows) expect(r).toMatchObject({ status: 'pending', attempts: 1, lastError: 'blocked address' });
      expect(connections).toBe(0);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('DELETE /v1/notifications/webhooks/:orgId', () => {
  it('lets an admin delete a webhook: it is gone and its pending deliveries are abandoned', async () => {
    const orgId = unique('org');
    expect((await put('https://93.184.215.14/hook', orgId)).statusCode).toBe(200);
    await svc.handle(event('file.available', { fileId: newId('file'), ownerId: newId('user') }));
    expect(await svc.deps.db.collection('deliveries').countDocuments({ recipientId: orgId, status: 'pending' })).toBe(
      1,
    );
    const res = await svc.app.inject({
      method: 'DELETE',
      url: `/v1/notifications/webhooks/${orgId}`,
      headers: bearer(admin, 'admin'),
    });
    expect(res.statusCode, res.body).toBe(204);
    expect(await svc.deps.db.collection('webhooks').findOne({ _id: orgId as never })).toBeNull();
    expect(await svc.deps.db.collection('deliveries').countDocuments({ recipientId: orgId, status: 'pending' })).toBe(
      0,
    );
    const again = await svc.app.inject({
      method: 'DELETE',
      url: `/v1/notifications/webhooks/${orgId}`,
      headers: bearer(admin, 'admin'),
    });
    expect(again.statusCode).toBe(404);
  });

  it('refuses a webhook deletion by anyone but an admin', async () => {
    const orgId = unique('org');
    expect((await put('https://93.184.215.14/hook', orgId)).statusCode).toBe(200);
    for (const role of ['clinician', 'patient', 'compliance'] as const) {
      const user = await seedUser(svc, role);
      const res = await svc.app.inject({
        method: 'DELETE',
        url: `/v1/notifications/webhooks/${orgId}`,
        headers: bearer(user, role),
      });
      expect(res.statusCode, role).toBe(403);
    }
    expect(await svc.deps.db.collection('webhooks').findOne({ _id: orgId as never })).not.toBeNull();
  });
});
