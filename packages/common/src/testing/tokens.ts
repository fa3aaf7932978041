import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signJwt } from '../auth/sign.js';
import type { Role } from '../events/envelope.js';
import { repoRoot } from './paths.js';

export interface TestTokenOptions {
  sub: string;
  role: Role;
  jti?: string;
  sid?: string;
  /** Seconds from now until expiry (negative: already expired). */
  ttl?: number;
  iat?: number;
  iss?: string;
  aud?: string;
  typ?: string;
  /** Override the signing key (PEM) to forge tokens in security tests. */
  privateKeyPem?: string;
}

/** Private key of the local stack (.local/state/jwt/private.pem, or JWT_PRIVATE_KEY_FILE). */
export function localPrivateKeyPem(): string {
  const file = process.env.JWT_PRIVATE_KEY_FILE ?? '.local/state/jwt/private.pem';
  return readFileSync(file.startsWith('/') ? file : join(repoRoot, file), 'utf8');
}

export function localPublicKeyPem(): string {
  const file = process.env.JWT_PUBLIC_KEY_FILE ?? '.local/state/jwt/public.pem';
  return readFileSync(file.startsWith('/') ? file : join(repoRoot, file), 'utf8');
}

/** Mints an EdDSA access token the way the gateway does, for tests of internal services. */
export function mintTestToken(o: TestTokenOptions): string {
  const now = Math.floor(Date.now() / 1000);
  const iat = o.iat ?? now;
  const claims = {
    sub: o.sub,
    role: o.role,
    jti: o.jti ?? randomUUID(),
    ...(o.sid ? { sid: o.sid } : {}),
    iat,
    exp: iat + (o.ttl ?? 900),
    iss: o.iss ?? process.env.JWT_ISSUER ?? 'medvault-gateway',
    aud: o.aud ?? process.env.JWT_AUDIENCE ?? 'medvault-api',
    typ: o.typ ?? 'access',
  };
  return signJwt(claims, o.privateKeyPem ?? localPrivateKeyPem());
}
