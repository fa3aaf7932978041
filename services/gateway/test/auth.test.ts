import { createHash } from 'node:crypto';
import { type BusTap, mintTestToken, openBusTap, unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem, type Harness, harness } from './helpers.js';

let h: Harness;
/** Throttling state lives in Redis across runs: every test uses fresh addresses. */
const randomIp = () => `10.${[0, 0, 0].map(() => Math.floor(Math.random() * 250) + 1).join('.')}`;
let tap: BusTap;

beforeAll(async () => {
  tap = await openBusTap([
    'auth.login_succeeded',
    'auth.login_failed',
    'auth.refresh_reused',
    'auth.logged_out',
    'user.created',
  ]);
  h = await harness({ LOGIN_MAX_FAILURES: '3' });
});
afterAll(async () => {
  await h?.close();
  await tap?.close();
});

describe('login', () => {
  it('issues an EdDSA access token with the claims every service verifies, and a refresh token', async () => {
    const u = await h.user('clinician');
    const [head, body] = u.accessToken.split('.');
    expect(JSON.parse(Buffer.from(head!, 'base64url').toString())).toEqual({ alg: 'EdDSA', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString());
    expect(claims).toMatchObject({
      sub: u.id,
      role: 'clinician',
      typ: 'access',
      iss: 'medvault-gateway',
      aud: 'medvault-api',
    });
    expect(claims.exp - claims.iat).toBe(900);
    expect(claims.jti).toBeTruthy();
    expect(claims.sid).toMatch(/^ses_/);
    expect(u.refreshToken).toMatch(/^rt_/);
    const me = await h.app.inject({ url: '/v1/me', headers: bearer(u.accessToken) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: u.id, email: u.email, role: 'clinician' });
    await tap.waitFor('auth.login_succeeded', (e) => e.data.userId === u.id);
  });

  it('accepts the email in any case', async () => {
    const u = await h.user('patient');
    const res = await h.login(u.email.toUpperCase(), u.password);
    expect(res.status).toBe(200);
  });

  it('gives unknown users and wrong passwords the same 401 and records only a hash of the email', async () => {
    const u = await h.user('patient');
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: u.email, password: 'not-the-password' },
    });
    const unknown = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: 'nobody@medvault.test', password: 'not-the-password' },
    });
    const a = expectProblem(wrong, 401);
    const b = expectProblem(unknown, 401);
    expect(a.code).toBe(b.code);
    expect(a.detail).toBe(b.detail);
    const hash = createHash('sha256').update(u.email).digest('hex');
    const ev = await tap.waitFor('auth.login_failed', (e) => e.data.emailHash === hash);
    expect(ev.data.reason).toBe('invalid_credentials');
    expect(JSON.stringify(ev)).not.toContain(u.email);
  });

  it('throttles the N+1th attempt of a source that failed N times on an account, with Retry-After', async () => {
    const u = await h.user('patient');
    const ip = randomIp();
    for (let i = 0; i < 3; i++) {
      const r = await h.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: u.email, password: `wrong-${i}` },
        remoteAddress: ip,
      });
      expect(r.statusCode).toBe(401);
    }
    const blocked = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: u.email, password: u.password },
      remoteAddress: ip,
    });
    const p = expectProblem(blocked, 429);
    expect(p.code).toBe('RATE_LIMITED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    const hash = createHash('sha256').update(u.email).digest('hex');
    await tap.waitFor('auth.login_failed', (e) => e.data.emailHash === hash && e.data.reason === 'throttled');
  });

  it('throttles an IP that fails against many accounts', async () => {
    const hh = await import('./helpers.js').then((m) => m.harness({ LOGIN_MAX_FAILURES_PER_IP: '2' }));
    try {
      const ip = randomIp();
      for (const n of [1, 2]) {
        const r = await hh.app.inject({
          method: 'POST',
          url: '/v1/auth/login',
          payload: { email: `${unique('x')}${n}@medvault.test`, password: 'whatever-pw' },
          remoteAddress: ip,
        });
        expect(r.statusCode).toBe(401);
      }
      const r = await hh.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: hh.adminEmail, password: hh.adminPassword },
        remoteAddress: ip,
      });
      expect(r.statusCode).toBe(429);
      const other = await hh.login(hh.adminEmail, hh.adminPassword, randomIp());
      expect(other.status).toBe(200);
    } finally {
      await hh.close();
    }
  });

  it('refuses a deactivated user with the same 401', async () => {
    const u = await h.user('patient');
    await h.app.inject({
      method: 'PATCH',
      url: `/v1/users/${u.id}`,
      headers: bearer(h.adminToken),
      payload: { active: false },
    });
    const r = await h.login(u.email, u.password);
    expect(r.status).toBe(401);
  });
});

describe('refresh', () => {
  it('rotates: the new pair works and the old refresh token is single-use', async () => {
    const u = await h.user('patient');
    const r1 = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: u.refreshToken },
    });
    expect(r1.statusCode).toBe(200);
    const pair = r1.json();
    expect(pair.refreshToken).not.toBe(u.refreshToken);
    expect(pair.expiresIn).toBe(900);
    expect((await h.app.inject({ url: '/v1/me', headers: bearer(pair.accessToken) })).statusCode).toBe(200);
  });

  it('kills the whole family when a used refresh token is presented again', async () => {
    const u = await h.user('patient');
    const r1 = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: u.refreshToken },
    });
    const second = r1.json();
    const reuse = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: u.refreshToken },
    });
    expect(expectProblem(reuse, 401).code).toBe('TOKEN_REVOKED');
    // Every token of that session is dead: the rotated refresh token and both access tokens.
    const later = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: second.refreshToken },
    });
    expectProblem(later, 401);
    expectProblem(await h.app.inject({ url: '/v1/me', headers: bearer(second.accessToken) }), 401);
    expectProblem(await h.app.inject({ url: '/v1/me', headers: bearer(u.accessToken) }), 401);
    await tap.waitFor('auth.refresh_reused', (e) => e.data.userId === u.id);
  });

  it('lets only one of two concurrent refreshes with the same token succeed', async () => {
    const u = await h.user('patient');
    const send = () =>
      h.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: u.refreshToken } });
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 401]);
  });

  it('refuses an unknown refresh token', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: 'rt_notarealtokenatall' },
    });
    expect(expectProblem(r, 401).code).toBe('TOKEN_INVALID');
  });
});

describe('logout', () => {
  it('stops the access token and its refresh family at once', async () => {
    const u = await h.user('clinician');
    const out = await h.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(u.accessToken) });
    expect(out.statusCode).toBe(204);
    expect(expectProblem(await h.app.inject({ url: '/v1/me', headers: bearer(u.accessToken) }), 401).code).toBe(
      'TOKEN_REVOKED',
    );
    const r = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: u.refreshToken },
    });
    expectProblem(r, 401);
    await tap.waitFor('auth.logged_out', (e) => e.data.userId === u.id);
  });

  it('needs a token', async () => {
    expectProblem(await h.app.inject({ method: 'POST', url: '/v1/auth/logout' }), 401);
  });
});

describe('token attacks', () => {
  let victim: { id: string; accessToken: string };
  beforeAll(async () => {
    victim = await h.user('admin');
  });
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const claimsOf = (t: string) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString());
  const refused = async (token: string) => {
    const r = await h.app.inject({ url: '/v1/users', headers: bearer(token) });
    const p = expectProblem(r, 401);
    expect(p.requestId).toBeTruthy();
    return p;
  };

  it('refuses alg none', async () => {
    await refused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claimsOf(victim.accessToken))}.`);
  });

  it('refuses an HS256 token signed with the public key as secret', async () => {
    const { createHmac } = await import('node:crypto');
    const head = b64({ alg: 'HS256', typ: 'JWT' });
    const body = b64(claimsOf(victim.accessToken));
    const sig = createHmac('sha256', h.deps.jwtPublicKey).update(`${head}.${body}`).digest('base64url');
    await refused(`${head}.${body}.${sig}`);
  });

  it('refuses an expired token', async () => {
    const p = await refused(
      mintTestToken({ sub: victim.id, role: 'admin', iat: Math.floor(Date.now() / 1000) - 3600, ttl: 60 }),
    );
    expect(p.code).toBe('TOKEN_EXPIRED');
  });

  it('refuses a token from another issuer or for another audience', async () => {
    await refused(mintTestToken({ sub: victim.id, role: 'admin', iss: 'evil-issuer' }));
    await refused(mintTestToken({ sub: victim.id, role: 'admin', aud: 'other-api' }));
  });

  it('refuses a tampered payload or signature', async () => {
    const [head, , sig] = victim.accessToken.split('.');
    const forged = { ...claimsOf(victim.accessToken), role: 'admin', sub: 'usr_01JD0000000000000000000000' };
    await refused(`${head}.${b64(forged)}.${sig}`);
    const flipped = sig!.slice(0, -2) + (sig!.at(-2) === 'A' ? 'B' : 'A') + sig!.at(-1);
    await refused(`${victim.accessToken.split('.').slice(0, 2).join('.')}.${flipped}`);
  });

  it('refuses a token signed by another Ed25519 key', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await refused(mintTestToken({ sub: victim.id, role: 'admin', privateKeyPem: pem }));
  });

  it('refuses a token of another type', async () => {
    await refused(mintTestToken({ sub: victim.id, role: 'admin', typ: 'refresh' }));
  });

  it("refuses a deactivated user's still-valid token at once", async () => {
    const u = await h.user('clinician');
    expect((await h.app.inject({ url: '/v1/me', headers: bearer(u.accessToken) })).statusCode).toBe(200);
    const patch = await h.app.inject({
      method: 'PATCH',
      url: `/v1/users/${u.id}`,
      headers: bearer(h.adminToken),
      payload: { active: false },
    });
    expect(patch.statusCode).toBe(200);
    expect(expectProblem(await h.app.inject({ url: '/v1/me', headers: bearer(u.accessToken) }), 401).code).toBe(
      'TOKEN_REVOKED',
    );
    const r = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/refresh',
      payload: { refreshToken: u.refreshToken },
    });
    expectProblem(r, 401);
  });
});
