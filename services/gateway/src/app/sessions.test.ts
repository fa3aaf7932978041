import { generateKeyPairSync } from 'node:crypto';
import { AccessTokenSigner, type Principal } from '@medvault/common/auth';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryRefresh, MemoryRevocation, MemorySink, MemoryThrottle, MemoryUsers } from '../domain/memory-ports.js';
import { type SessionUseCases, sessionUseCases } from './auth.js';
import { type UserUseCases, userUseCases } from './users.js';

const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ctx = { requestId: 'req-1', actor: { userId: 'anonymous', role: 'system' as const }, ip: '10.0.0.1' };
const claimsOf = (t: string) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString());

let users: MemoryUsers;
let refresh: MemoryRefresh;
let revocation: MemoryRevocation;
let sink: MemorySink;
let kicks = 0;
let auth: SessionUseCases;
let userService: UserUseCases;
const admin: Principal = { userId: 'usr_admin', role: 'admin', jti: 'j', iat: 0, exp: 1 };

beforeEach(() => {
  users = new MemoryUsers();
  refresh = new MemoryRefresh();
  revocation = new MemoryRevocation();
  sink = new MemorySink();
  const signer = new AccessTokenSigner({ privateKeyPem: pem, issuer: 'i', audience: 'a', ttlSeconds: 900 });
  auth = sessionUseCases({
    users,
    refresh,
    throttle: new MemoryThrottle(2),
    revocation,
    notBefore: revocation,
    signer,
    events: sink,
    refreshTtlSeconds: 3600,
    source: 'gateway',
  });
  kicks = 0;
  userService = userUseCases({
    users,
    revocation,
    outbox: { kick: () => void kicks++ },
    accessTtlSeconds: 900,
    source: 'gateway',
  });
});

async function newUser(email = 'Ann@Example.org') {
  return userService.create(admin, { email, password: 'a-long-password', role: 'patient', name: 'Ann' }, ctx);
}

describe('auth service', () => {
  it('logs in with the email in any case and starts a session', async () => {
    const u = await newUser();
    const r = await auth.login({ email: 'ANN@example.org', password: 'a-long-password' }, ctx);
    expect(claimsOf(r.accessToken)).toMatchObject({ sub: u.id, role: 'patient' });
    expect(sink.types()).toContain('auth.login_succeeded');
  });

  it('lets exactly one of two concurrent refreshes of the same token win, and kills the session', async () => {
    await newUser();
    const r = await auth.login({ email: 'ann@example.org', password: 'a-long-password' }, ctx);
    const results = await Promise.allSettled([auth.refresh(r.refreshToken, ctx), auth.refresh(r.refreshToken, ctx)]);
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect(sink.types()).toContain('auth.refresh_reused');
    const sid = claimsOf(r.accessToken).sid;
    expect(revocation.sessions.has(sid)).toBe(true);
  });

  it('refuses refresh for a user deactivated since login', async () => {
    const u = await newUser();
    const r = await auth.login({ email: 'ann@example.org', password: 'a-long-password' }, ctx);
    await userService.update(admin, u.id, { active: false }, ctx);
    await expect(auth.refresh(r.refreshToken, ctx)).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
  });

  it('throttles after the configured failures even with the right password', async () => {
    await newUser();
    for (let i = 0; i < 2; i++) {
      await expect(auth.login({ email: 'ann@example.org', password: 'wrong' }, ctx)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    }
    await expect(auth.login({ email: 'ann@example.org', password: 'a-long-password' }, ctx)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      headers: { 'retry-after': '60' },
    });
  });

  it('issues post-change tokens that the not-before mark accepts', async () => {
    const u = await newUser();
    await userService.update(admin, u.id, { role: 'clinician' }, ctx);
    const r = await auth.login({ email: 'ann@example.org', password: 'a-long-password' }, ctx);
    const c = claimsOf(r.accessToken);
    expect(c.role).toBe('clinician');
    expect(await revocation.isRevoked({ jti: c.jti, userId: u.id, iat: c.iat, sessionId: c.sid })).toBe(false);
  });

  it('logout revokes the token, its session and its refresh family', async () => {
    await newUser();
    const r = await auth.login({ email: 'ann@example.org', password: 'a-long-password' }, ctx);
    const c = claimsOf(r.accessToken);
    await auth.logout({ userId: c.sub, role: c.role, jti: c.jti, sessionId: c.sid, iat: c.iat, exp: c.exp }, ctx);
    expect(revocation.jtis.has(c.jti)).toBe(true);
    await expect(auth.refresh(r.refreshToken, ctx)).rejects.toMatchObject({ code: 'TOKEN_REVOKED' });
  });
});

describe('user service', () => {
  it('announces only real changes, stored with the change itself (outbox), and wakes the relay', async () => {
    const u = await newUser();
    const stored = () => users.outbox.filter((e) => e.type === 'user.updated');
    await userService.update(admin, u.id, { role: 'patient', name: 'Ann' }, ctx);
    expect(stored()).toHaveLength(0);
    const before = kicks;
    await userService.update(admin, u.id, { name: 'Ann B' }, ctx);
    expect(stored().at(-1)).toMatchObject({ type: 'user.updated', data: { changes: ['name'], role: 'patient' } });
    expect(kicks).toBe(before + 1);
    expect(sink.types()).not.toContain('user.updated'); // never through the lossy in-memory sink
    expect(revocation.notBefores.has(u.id)).toBe(false); // a name change does not log anyone out
  });

  it('paginates with a cursor', async () => {
    for (const n of [1, 2, 3]) await newUser(`u${n}@example.org`);
    const first = await userService.list(admin, { limit: 2 });
    expect(first.items).toHaveLength(2);
    const second = await userService.list(admin, { limit: 2, after: first.nextCursor! });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
  });
});
