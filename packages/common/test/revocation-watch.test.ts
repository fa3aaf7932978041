import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EndReason, Principal } from '../src/auth/index.js';
import { RedisRevocationStore, RevocationWatcher } from '../src/auth/index.js';
import { createRedis } from '../src/clients/index.js';

// A private prefix per run: pushes and marks never reach other suites' watchers.
const prefix = `authtest-${randomUUID()}`;
const redis = createRedis(process.env.REDIS_URL!, 'revocation-watch-test');
const subscriber = createRedis(process.env.REDIS_URL!, 'revocation-watch-test-sub');
subscriber.on('error', () => undefined);
const store = new RedisRevocationStore(redis, prefix);
const watcher = new RevocationWatcher(subscriber, store, { prefix });

const principal = (over: Partial<Principal> = {}): Principal => ({
  userId: `usr_${randomUUID()}`,
  role: 'patient',
  jti: randomUUID(),
  sessionId: `ses_${randomUUID()}`,
  iat: Math.floor(Date.now() / 1000) - 1,
  exp: Math.floor(Date.now() / 1000) + 600,
  ...over,
});

function watched(p: Principal) {
  let reason: EndReason | undefined;
  const unwatch = watcher.watch(p, (r) => (reason = r));
  return {
    unwatch,
    ended: async (ms: number) => {
      const deadline = Date.now() + ms;
      while (!reason && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return reason;
    },
  };
}

beforeAll(() => watcher.start());
afterAll(async () => {
  await Promise.allSettled([redis.quit(), subscriber.quit()]);
});

describe('revocation watcher', () => {
  it('ends a watched token at once when it, its session or its user is revoked, and leaves the others alone', async () => {
    const [a, b, c, bystander] = [principal(), principal(), principal(), principal()];
    const wa = watched(a);
    const wb = watched(b);
    const wc = watched(c);
    const wx = watched(bystander);
    await store.revokeToken(a.jti, 60);
    await store.revokeSession(b.sessionId!, 60);
    await store.revokeUserTokensBefore(c.userId, Math.floor(Date.now() / 1000) + 1, 60);
    expect(await wa.ended(1000)).toBe('revoked');
    expect(await wb.ended(1000)).toBe('revoked');
    expect(await wc.ended(1000)).toBe('revoked');
    expect(await wx.ended(200)).toBeUndefined();
    wx.unwatch();
  });

  it('ends a token revoked before it was watched (the push went out between check and watch)', async () => {
    const p = principal();
    await store.revokeToken(p.jti, 60);
    expect(await watched(p).ended(1000)).toBe('revoked');
  });

  it('ends a watched token at its expiry', async () => {
    const p = principal({ exp: Math.floor(Date.now() / 1000) + 1 });
    expect(await watched(p).ended(2500)).toBe('expired');
  });

  it('re-checks after the subscriber reconnects, so a push lost meanwhile still ends the stream', async () => {
    const p = principal();
    const w = watched(p);
    const back = new Promise((r) => subscriber.once('ready', r));
    subscriber.disconnect(true); // drop the connection; ioredis reconnects and re-subscribes
    await store.revokeToken(p.jti, 60); // pushed while nobody listens on this connection
    await back;
    expect(await w.ended(2000)).toBe('revoked');
  });
});
