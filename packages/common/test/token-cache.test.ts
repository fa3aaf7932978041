import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  followRevocations,
  RedisRevocationStore,
  type RevocationChecker,
  tokenVerifier,
  VerifiedTokenCache,
} from '../src/auth/index.js';
import { createRedis } from '../src/clients/index.js';
import { registerErrorHandling } from '../src/http/problem.js';
import { localPublicKeyPem, mintTestToken } from '../src/testing/index.js';

// A private prefix per run: pushes and marks never reach other suites.
const prefix = `tokencache-${randomUUID()}`;
const redis = createRedis(process.env.REDIS_URL!, 'token-cache-test');
const subscriber = createRedis(process.env.REDIS_URL!, 'token-cache-test-sub');
subscriber.on('error', () => undefined);
/** The gateway's own store: its revocations invalidate the cache synchronously. */
const local = new RedisRevocationStore(redis, prefix);
/** Another instance (another gateway replica): its revocations reach the cache by push only. */
const other = new RedisRevocationStore(createRedis(process.env.REDIS_URL!, 'token-cache-test-other'), prefix);
const cache = new VerifiedTokenCache();
local.onRevoke(() => cache.invalidate());
let checks = 0;
const counting: RevocationChecker = {
  isRevoked: (p) => {
    checks++;
    return local.isRevoked(p);
  },
};
const app = Fastify();

beforeAll(async () => {
  registerErrorHandling(app);
  await app.register(tokenVerifier, {
    publicKey: localPublicKeyPem(),
    issuer: process.env.JWT_ISSUER ?? 'medvault-gateway',
    audience: process.env.JWT_AUDIENCE ?? 'medvault-api',
    revocation: counting,
    cache,
  });
  app.get('/me', { onRequest: app.authenticate }, async (req) => ({ userId: req.principal?.userId }));
  await app.ready();
  await followRevocations(subscriber, cache, prefix);
});
afterAll(async () => {
  await app.close();
  await Promise.allSettled([redis.quit(), subscriber.quit()]);
});

const user = () => `usr_${randomUUID().replace(/-/g, '').slice(0, 26)}`;
const call = (token: string) => app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });
async function statusWithin(token: string, want: number, ms: number) {
  const deadline = Date.now() + ms;
  let s = (await call(token)).statusCode;
  while (s !== want && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    s = (await call(token)).statusCode;
  }
  return s;
}

describe('token verification cache with the revocation epoch', () => {
  it('checks a token once and serves its next requests from the cache', async () => {
    // The cache is on only once the revocation channel is subscribed (which the test above checks).
    const deadline = Date.now() + 5000;
    while (!cache.enabled && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const token = mintTestToken({ sub: user(), role: 'patient' });
    const before = checks;
    for (let i = 0; i < 5; i++) expect((await call(token)).statusCode).toBe(200);
    expect(checks - before).toBe(1);
  });

  it('refuses a cached token at once when this process revokes it (logout)', async () => {
    const jti = randomUUID();
    const token = mintTestToken({ sub: user(), role: 'patient', jti });
    expect((await call(token)).statusCode).toBe(200);
    await local.revokeToken(jti, 60);
    expect((await call(token)).statusCode).toBe(401);
  });

  it('refuses a cached token once another instance revokes its session or its user (pushed)', async () => {
    const sid = `ses_${randomUUID()}`;
    const bySession = mintTestToken({ sub: user(), role: 'patient', sid });
    const userId = user();
    const byUser = mintTestToken({ sub: userId, role: 'clinician', iat: Math.floor(Date.now() / 1000) - 5 });
    expect((await call(bySession)).statusCode).toBe(200);
    expect((await call(byUser)).statusCode).toBe(200);
    await other.revokeSession(sid, 60);
    await other.revokeUserTokensBefore(userId, Math.floor(Date.now() / 1000), 60);
    expect(await statusWithin(bySession, 401, 2000)).toBe(401);
    expect(await statusWithin(byUser, 401, 2000)).toBe(401);
  });

  it('checks every request while the revocation channel is not subscribed, and caches again once it is', async () => {
    const token = mintTestToken({ sub: user(), role: 'patient' });
    expect((await call(token)).statusCode).toBe(200);
    subscriber.disconnect(false);
    const until = async (want: boolean) => {
      const deadline = Date.now() + 5000;
      while (cache.enabled !== want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    await until(false);
    const before = checks;
    expect((await call(token)).statusCode).toBe(200);
    expect((await call(token)).statusCode).toBe(200);
    expect(checks - before).toBe(2);
    await subscriber.connect();
    await until(true);
    expect(cache.enabled).toBe(true);
    // Back: a revocation pushed now still reaches the cache.
    const jti = randomUUID();
    const again = mintTestToken({ sub: user(), role: 'patient', jti });
    expect((await call(again)).statusCode).toBe(200);
    await other.revokeToken(jti, 60);
    expect(await statusWithin(again, 401, 2000)).toBe(401);
  });
});
