import { createPrivateKey, randomUUID } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import type { AccessTokenClaims, Role } from './principal.js';
import { ACCESS_TOKEN_ALGORITHM } from './verify.js';

export interface AccessTokenSignerOptions {
  privateKeyPem: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/**
 * Signs a JWT with exactly the given claims (EdDSA, fast-jwt: the library @fastify/jwt verifies
 * with). The claims are the caller's: fast-jwt keeps a given iat and adds none when it is
 * present (noTimestamp would drop it). Tests use it to forge variants.
 */
export function signJwt(claims: object, privateKeyPem: string): string {
  return createSigner({ algorithm: ACCESS_TOKEN_ALGORITHM, key: privateKeyPem })({ ...claims });
}

/**
 * Mints access tokens (the gateway only): compact JWS, EdDSA (Ed25519), with exactly the claims
 * of AccessTokenClaims so every service's tokenVerifier (iss/aud/alg pinned) accepts them.
 */
export class AccessTokenSigner {
  private readonly sign$: (payload: object) => string;

  constructor(private readonly opts: AccessTokenSignerOptions) {
    if (createPrivateKey(opts.privateKeyPem).asymmetricKeyType !== 'ed25519') {
      throw new Error('JWT private key must be an Ed25519 key');
    }
    const signer = createSigner({ algorithm: ACCESS_TOKEN_ALGORITHM, key: opts.privateKeyPem });
    this.sign$ = (payload) => signer({ ...payload });
  }

  get ttlSeconds() {
    return this.opts.ttlSeconds;
  }

  /** `notBefore`: never issue with an iat the revocation store would already refuse. */
  sign(p: { userId: string; role: Role; sessionId: string; notBefore?: number }, now = new Date()) {
    const iat = Math.max(Math.floor(now.getTime() / 1000), p.notBefore ?? 0);
    const claims: AccessTokenClaims = {
      sub: p.userId,
      role: p.role,
      jti: randomUUID(),
      sid: p.sessionId,
      iat,
      exp: iat + this.opts.ttlSeconds,
      iss: this.opts.issuer,
      aud: this.opts.audience,
      typ: 'access',
    };
    return { token: this.sign$(claims), claims };
  }
}
