import { createHash, createPrivateKey, type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto';
import type { AccessTokenClaims, Role } from '@medvault/common/auth';
import { ACCESS_TOKEN_ALGORITHM } from '@medvault/common/auth';

export interface SignerOptions {
  privateKeyPem: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

const b64url = (v: Buffer | string) => Buffer.from(v).toString('base64url');

/**
 * Mints access tokens: compact JWS, EdDSA (Ed25519), with exactly the claims of
 * AccessTokenClaims so every service's tokenVerifier (iss/aud/alg pinned) accepts them.
 */
export class AccessTokenSigner {
  private readonly key: KeyObject;
  private readonly header = b64url(JSON.stringify({ alg: ACCESS_TOKEN_ALGORITHM, typ: 'JWT' }));

  constructor(private readonly opts: SignerOptions) {
    this.key = createPrivateKey(opts.privateKeyPem);
    if (this.key.asymmetricKeyType !== 'ed25519') throw new Error('JWT private key must be an Ed25519 key');
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
    const body = b64url(JSON.stringify(claims));
    const signature = sign(null, Buffer.from(`${this.header}.${body}`), this.key);
    return { token: `${this.header}.${body}.${b64url(signature)}`, claims };
  }
}

/** Refresh tokens are opaque: 256 random bits; only their SHA-256 is stored. */
export function newRefreshToken(): string {
  return `rt_${randomBytes(32).toString('base64url')}`;
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Correlates login attempts in events and throttling keys without storing the address. */
export function emailHash(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}
