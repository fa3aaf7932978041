import { generateKeyPairSync } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { describe, expect, it } from 'vitest';
import { accessTokenSubject, GatewayAssertionSigner, GatewayAssertionVerifier, requestTarget } from './internal.js';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    priv: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    pub: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};
const keys = pair();
const req = { requestId: 'req-1', method: 'GET', url: '/v1/files?x=1', authorization: 'Bearer user-token' };
const signer = new GatewayAssertionSigner({ privateKeyPem: keys.priv, ttlSeconds: 60 });
const verifier = new GatewayAssertionVerifier({ publicKeyPem: keys.pub, audience: 'files' });
const mint = (over: Partial<Parameters<GatewayAssertionSigner['assert']>[0]> = {}) =>
  signer.assert({ audience: 'files', clientIp: '203.0.113.9', ...req, ...over });

describe('gateway assertion', () => {
  it('accepts an assertion minted for this service and request, and yields the asserted client IP', () => {
    expect(verifier.check(mint(), req)).toEqual({ ok: true, clientIp: '203.0.113.9' });
  });

  it.each([
    ['another service', { audience: 'audit' }],
    ['another request id', { requestId: 'req-2' }],
    ['another method', { method: 'DELETE' }],
    ['another path', { url: '/v1/files/other?x=1' }],
    ['another query', { url: '/v1/files?x=2' }],
    ["another user's token", { authorization: 'Bearer someone-else' }],
    ['no token while the request has one', { authorization: undefined }],
  ])('refuses an assertion minted for %s', (_what, over) => {
    expect(verifier.check(mint(over), req).ok).toBe(false);
  });

  it('refuses a missing header, garbage, a foreign key, and an expired assertion', () => {
    expect(verifier.check(undefined, req)).toEqual({ ok: false, reason: 'no gateway assertion' });
    expect(verifier.check('a.b.c', req).ok).toBe(false);
    const forged = new GatewayAssertionSigner({ privateKeyPem: pair().priv, ttlSeconds: 60 });
    expect(verifier.check(forged.assert({ audience: 'files', clientIp: '1.2.3.4', ...req }), req).ok).toBe(false);
    const old = new GatewayAssertionSigner({ privateKeyPem: keys.priv, ttlSeconds: 60, nowMs: Date.now() - 120_000 });
    expect(verifier.check(old.assert({ audience: 'files', clientIp: '1.2.3.4', ...req }), req).ok).toBe(false);
  });

  it('refuses a long-lived assertion even when correctly signed', () => {
    const lax = createSigner({ key: keys.priv, algorithm: 'EdDSA', iss: 'medvault-gateway', expiresIn: 3_600_000 });
    const token = lax({
      aud: 'files',
      typ: 'gateway-assertion',
      rid: 'req-1',
      htm: 'GET',
      htu: '/v1/files?x=1',
      ip: '1.2.3.4',
    });
    expect(verifier.check(token, { ...req, authorization: undefined })).toMatchObject({ ok: false });
  });

  it('refuses a token of another kind signed with the same key (an access token is not an assertion)', () => {
    const sign = createSigner({ key: keys.priv, algorithm: 'EdDSA', iss: 'medvault-gateway', expiresIn: 60_000 });
    const token = sign({ aud: 'files', typ: 'access', rid: 'req-1', htm: 'GET', htu: '/v1/files?x=1', ip: '1.2.3.4' });
    expect(verifier.check(token, { ...req, authorization: undefined })).toEqual({
      ok: false,
      reason: 'not a gateway assertion',
    });
  });

  it('compares request targets in the normal form the proxy sends', () => {
    expect(requestTarget('/v1/files/../files?x=1')).toBe('/v1/files?x=1');
    expect(requestTarget('http://127.0.0.1:1/v1/a?b=c')).toBe('/v1/a?b=c');
  });

  it('names the config key when a key is not an Ed25519 PEM', () => {
    expect(
      () =>
        new GatewayAssertionVerifier({ publicKeyPem: 'nope', audience: 'x', keyName: 'GATEWAY_ASSERTION_PUBLIC_KEY' }),
    ).toThrow(/GATEWAY_ASSERTION_PUBLIC_KEY is not an Ed25519 public key/);
    expect(
      () =>
        new GatewayAssertionSigner({
          privateKeyPem: keys.pub,
          ttlSeconds: 60,
          keyName: 'GATEWAY_ASSERTION_PRIVATE_KEY',
        }),
    ).toThrow(/GATEWAY_ASSERTION_PRIVATE_KEY/);
  });
});

describe('access token subject of a refused request (attribution only)', () => {
  const identify = accessTokenSubject({ publicKeyPem: keys.pub, issuer: 'medvault-gateway', audience: 'medvault-api' });
  const token = (key: string, typ = 'access') =>
    createSigner({ key, algorithm: 'EdDSA', iss: 'medvault-gateway', aud: 'medvault-api', expiresIn: 60_000 })({
      sub: 'usr_1',
      role: 'patient',
      typ,
    });

  it('names the user of a genuine access token', () => {
    expect(identify(`Bearer ${token(keys.priv)}`)).toEqual({ userId: 'usr_1', role: 'patient' });
  });

  it('names nobody for a forged token, another kind of token, or no token', () => {
    expect(identify(`Bearer ${token(pair().priv)}`)).toBeUndefined();
    expect(identify(`Bearer ${token(keys.priv, 'refresh')}`)).toBeUndefined();
    expect(identify(undefined)).toBeUndefined();
    expect(identify('Basic abc')).toBeUndefined();
  });
});
