import type { AddressInfo } from 'node:net';
import { RedisRevocationStore } from '@medvault/common/auth';
import { newId } from '@medvault/common/ids';
import { gatewayHeaders, mintTestToken, unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { event, type Instance, instance, scratch, seedUser, sseClient } from './helpers.js';

let svc: Instance;
let url: string;

beforeAll(async () => {
  svc = await instance(scratch(), unique('notify-live-test'), { SSE_HEARTBEAT_SECONDS: '1', SMTP_PORT: '1' });
  await svc.app.listen({ host: '127.0.0.1', port: 0 });
  url = `http://127.0.0.1:${(svc.app.server.address() as AddressInfo).port}/v1/notifications/stream`;
});

afterAll(async () => {
  await svc.app.close();
  await svc.deps.db.dropDatabase().catch(() => undefined);
  await svc.deps.close();
});

describe('notification stream', () => {
  it('refuses a caller without a valid token', async () => {
    const proxied = (headers: Record<string, string>) => ({
      headers: { ...headers, ...gatewayHeaders('notify', { method: 'GET', url, headers }) },
    });
    expect((await fetch(url, proxied({}))).status).toBe(401);
    expect((await fetch(url, proxied({ authorization: 'Bearer nope' }))).status).toBe(401);
  });

  it("sends heartbeat comments and only the caller's own notifications", async () => {
    const me = await seedUser(svc, 'patient');
    const other = await seedUser(svc, 'patient');
    const s = await sseClient(url, { authorization: `Bearer ${mintTestToken({ sub: me, role: 'patient' })}` });
    expect(s.status).toBe(200);
    const mine = newId('file');
    await svc.handle(event('file.available', { fileId: newId('file'), ownerId: other }));
    await svc.handle(event('file.available', { fileId: mine, ownerId: me }));
    await s.next((e) => JSON.parse(e.data!).refs.fileId === mine, 10_000);
    await s.next(() => s.comments >= 2, 10_000); // two heartbeat comments
    expect(s.events).toHaveLength(1);
    s.close();
  });

  it('ends the stream when the access token expires', async () => {
    const me = await seedUser(svc, 'patient');
    const headers = { authorization: `Bearer ${mintTestToken({ sub: me, role: 'patient', ttl: 2 })}` };
    const res = await fetch(url, {
      headers: { ...headers, ...gatewayHeaders('notify', { method: 'GET', url, headers }) },
    });
    expect(res.status).toBe(200);
    const text = await res.text(); // resolves only when the server ends the stream
    expect(text).toContain('retry: 3000');
  });

  // Issue 14, finding 8: a logged-out or deactivated user's open stream kept receiving events.
  const revoked = async (
    revoke: (store: RedisRevocationStore, ids: { me: string; sid: string; jti: string }) => Promise<void>,
  ) => {
    const me = await seedUser(svc, 'patient');
    const sid = newId('session');
    const jti = `jti-${unique('x')}`;
    const s = await sseClient(url, {
      authorization: `Bearer ${mintTestToken({ sub: me, role: 'patient', sid, jti })}`,
    });
    expect(s.status).toBe(200);
    const before = newId('file');
    await svc.handle(event('file.available', { fileId: before, ownerId: me }));
    await s.next((e) => JSON.parse(e.data!).refs.fileId === before, 10_000);
    await revoke(new RedisRevocationStore(svc.deps.redis), { me, sid, jti });
    const at = Date.now();
    const endedAt = await Promise.race([s.ended, new Promise<number>((r) => setTimeout(() => r(0), 1500))]);
    const after = newId('file');
    await svc.handle(event('file.available', { fileId: after, ownerId: me }));
    await new Promise((r) => setTimeout(r, 200));
    s.close();
    expect(endedAt, 'stream still open after revocation').toBeGreaterThan(0);
    expect(endedAt - at).toBeLessThan(1000);
    expect(s.events.map((e) => JSON.parse(e.data!).refs.fileId)).not.toContain(after);
  };

  it('ends the stream at once when its token is revoked (logout) and sends nothing later', async () => {
    await revoked((store, { jti }) => store.revokeToken(jti, 60));
  });

  it('ends the stream at once when its session is revoked', async () => {
    await revoked((store, { sid }) => store.revokeSession(sid, 60));
  });

  it('ends the stream at once when the user is deactivated (tokens issued before now revoked)', async () => {
    await revoked((store, { me }) => store.revokeUserTokensBefore(me, Math.floor(Date.now() / 1000) + 1, 60));
  });
});
