import { generateKeyPairSync } from 'node:crypto';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { principalOf } from '../auth/verify.js';
import { mintTestToken } from '../testing/tokens.js';
import { createBaseApp } from './app.js';

const keys = generateKeyPairSync('ed25519');
const publicKey = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const privateKeyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const revoked = new Set<string>();
const auth = {
  publicKey,
  issuer: 'medvault-gateway',
  audience: 'medvault-api',
  revocation: { isRevoked: async (p: { jti: string }) => revoked.has(p.jti) },
};

async function appWithAuth() {
  const app = createBaseApp({
    service: 'demo',
    logger: pino({ level: 'silent' }),
    checks: [],
    callers: { kind: 'edge' },
    auth,
  });
  await app.register(async (r) => {
    r.get('/me', { preHandler: r.authenticate }, async (req) => ({ userId: principalOf(req).userId }));
  });
  return app;
}

describe('createBaseApp auth option', () => {
  it('verifies access tokens so routes can require them with app.authenticate', async () => {
    const app = await appWithAuth();
    const token = mintTestToken({
      sub: 'user_1',
      role: 'patient',
      privateKeyPem,
      iss: 'medvault-gateway',
      aud: 'medvault-api',
    });
    const ok = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ userId: 'user_1' });
    expect((await app.inject('/me')).statusCode).toBe(401);
  });

  it('refuses a revoked token through the revocation checker it was given', async () => {
    const app = await appWithAuth();
    const token = mintTestToken({
      sub: 'user_2',
      role: 'patient',
      jti: 'jti-revoked',
      privateKeyPem,
      iss: 'medvault-gateway',
      aud: 'medvault-api',
    });
    revoked.add('jti-revoked');
    const res = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('TOKEN_REVOKED');
  });

  it('has no authenticate decorator when the service serves no user', async () => {
    const app = createBaseApp({
      service: 'demo',
      logger: pino({ level: 'silent' }),
      checks: [],
      callers: { kind: 'edge' },
    });
    await app.ready();
    expect(app.hasDecorator('authenticate')).toBe(false);
  });
});

describe('createBaseApp request logging', () => {
  it('writes the request id under requestId on the request’s own log lines, taken from x-request-id', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = { write: (s: string) => lines.push(JSON.parse(s)) };
    const app = createBaseApp({
      service: 'demo',
      logger: pino({ level: 'info' }, sink),
      checks: [],
      callers: { kind: 'edge' },
    });
    await app.register(async (r) => {
      r.get('/hello', async (req) => {
        req.log.info('inside the handler');
        return { ok: true };
      });
    });
    const res = await app.inject({ url: '/hello', headers: { 'x-request-id': 'request_0123456789abcdefghij' } });
    expect(res.headers['x-request-id']).toBe('request_0123456789abcdefghij');
    const own = lines.filter((l) => l.requestId === 'request_0123456789abcdefghij').map((l) => l.msg);
    expect(own).toEqual(['incoming request', 'inside the handler', 'request completed']);
    expect(lines.some((l) => 'reqId' in l)).toBe(false);
    await app.close();
  });
});
