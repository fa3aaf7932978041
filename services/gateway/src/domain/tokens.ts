import { createHash, randomBytes } from 'node:crypto';

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
