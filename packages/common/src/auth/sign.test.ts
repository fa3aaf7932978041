import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AccessTokenSigner } from './sign.js';

const { privateKey } = generateKeyPairSync('ed25519');
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const signer = new AccessTokenSigner({ privateKeyPem: pem, issuer: 'iss-x', audience: 'aud-y', ttlSeconds: 900 });

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

describe('access token signer (fast-jwt, EdDSA)', () => {
  it('signs an EdDSA JWT with every claim the verifiers require', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const { token, claims } = signer.sign({ userId: 'usr_1', role: 'clinician', sessionId: 'ses_1' }, now);
    const [h, b, s] = token.split('.') as [string, string, string];
    expect(decode(h)).toEqual({ alg: 'EdDSA', typ: 'JWT' });
    expect(decode(b)).toEqual(claims);
    expect(claims).toMatchObject({
      sub: 'usr_1',
      role: 'clinician',
      sid: 'ses_1',
      iss: 'iss-x',
      aud: 'aud-y',
      typ: 'access',
    });
    expect(claims.iat).toBe(1767225600);
    expect(claims.exp - claims.iat).toBe(900);
    const ok = verify(null, Buffer.from(`${h}.${b}`), createPublicKey(privateKey), Buffer.from(s, 'base64url'));
    expect(ok).toBe(true);
  });

  it('gives every token its own jti', () => {
    const a = signer.sign({ userId: 'usr_1', role: 'patient', sessionId: 's' }).claims.jti;
    const b = signer.sign({ userId: 'usr_1', role: 'patient', sessionId: 's' }).claims.jti;
    expect(a).not.toBe(b);
  });

  it('never issues a token older than the user not-before mark', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const { claims } = signer.sign({ userId: 'u', role: 'admin', sessionId: 's', notBefore: 1767225601 }, now);
    expect(claims.iat).toBe(1767225601);
  });

  it('refuses a key that is not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => new AccessTokenSigner({ privateKeyPem: rsa, issuer: 'i', audience: 'a', ttlSeconds: 60 })).toThrow(
      /Ed25519/,
    );
  });
});
