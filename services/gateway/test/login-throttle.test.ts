import { sleep, unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, type Harness, harness } from './helpers.js';

/**
 * Pentest finding 7 (issue 14): five wrong passwords from anywhere locked any account, the
 * admin's included, for everyone. Failures now throttle the (account, source) pair with
 * exponential backoff; an account hammered from many sources is slowed, never locked.
 */
let h: Harness;
/** Throttling state lives in Redis across runs: every test uses fresh addresses. */
const randomIp = () => `10.${[0, 0, 0].map(() => Math.floor(Math.random() * 250) + 1).join('.')}`;

beforeAll(async () => {
  h = await harness({
    LOGIN_MAX_FAILURES: '3',
    LOGIN_BACKOFF_BASE_SECONDS: '1',
    LOGIN_ACCOUNT_SLOW_AFTER: '6',
    LOGIN_SLOWDOWN_MS: '300',
  });
});
afterAll(async () => {
  await h?.close();
});

const attempt = (email: string, password: string, ip: string) =>
  h.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password }, remoteAddress: ip });

describe('login throttling (finding 7)', () => {
  it("never lets a stranger's failures lock the owner out: the right password from another address still works", async () => {
    const attacker = randomIp();
    for (let i = 0; i < 6; i++) {
      const r = await attempt(h.adminEmail, `wrong-password-${i}`, attacker);
      expect([401, 429]).toContain(r.statusCode);
    }
    const owner = await attempt(h.adminEmail, h.adminPassword, randomIp());
    expect(owner.statusCode, owner.body).toBe(200);
  });

  it('refuses the failing address with 429 and a Retry-After that doubles with each further failure', async () => {
    const u = await h.user('patient');
    const ip = randomIp();
    for (let i = 0; i < 3; i++) expect((await attempt(u.email, `wrong-${i}`, ip)).statusCode).toBe(401);
    const first = await attempt(u.email, u.password, ip);
    const p = expectProblem(first, 429);
    expect(p.code).toBe('RATE_LIMITED');
    expect(Number(first.headers['retry-after'])).toBe(1);
    await sleep(1100);
    expect((await attempt(u.email, 'wrong-again', ip)).statusCode).toBe(401);
    const second = await attempt(u.email, u.password, ip);
    expectProblem(second, 429);
    expect(Number(second.headers['retry-after'])).toBe(2);
  });

  it('answers a throttled unknown account exactly like a throttled real one (no enumeration)', async () => {
    const u = await h.user('patient');
    const ip = randomIp();
    const ghost = `${unique('ghost')}@medvault.test`;
    for (let i = 0; i < 3; i++) {
      await attempt(u.email, `wrong-${i}`, ip);
      await attempt(ghost, `wrong-${i}`, ip);
    }
    const real = expectProblem(await attempt(u.email, 'wrong-x', ip), 429);
    const fake = expectProblem(await attempt(ghost, 'wrong-x', ip), 429);
    expect({ ...real, requestId: '', instance: '' }).toEqual({ ...fake, requestId: '', instance: '' });
  });

  it('slows, but does not lock, an account hammered from many addresses', async () => {
    const u = await h.user('patient');
    for (let i = 0; i < 8; i++) expect((await attempt(u.email, `wrong-${i}`, randomIp())).statusCode).toBe(401);
    const started = Date.now();
    const owner = await attempt(u.email, u.password, randomIp());
    expect(owner.statusCode, owner.body).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('a success clears the backoff of that address only', async () => {
    const u = await h.user('patient');
    const home = randomIp();
    for (let i = 0; i < 2; i++) expect((await attempt(u.email, `wrong-${i}`, home)).statusCode).toBe(401);
    expect((await attempt(u.email, u.password, home)).statusCode).toBe(200);
    for (let i = 0; i < 2; i++) expect((await attempt(u.email, `wrong-${i}`, home)).statusCode).toBe(401);
    expect((await attempt(u.email, u.password, home)).statusCode).toBe(200);
  });
});
