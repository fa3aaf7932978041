import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '@medvault/common/errors';

/** What a download-link token asserts; the link's counters live in Mongo (state, not claims). */
export interface LinkClaims {
  linkId: string;
  fileId: string;
  /** The caller who created the link: only they may use it (bound to the caller). */
  userId: string;
  /** Expiry, seconds since epoch. */
  exp: number;
  nonce: string;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const mac = (secret: string, payload: string) =>
  createHmac('sha256', secret).update(`medvault/link/v1.${payload}`).digest();

/** `<base64url(json claims)>.<base64url(HMAC-SHA256)>`: opaque to clients, URL-safe. */
export function signLink(secret: string, claims: Omit<LinkClaims, 'nonce'> & { nonce?: string }): string {
  const full: LinkClaims = { ...claims, nonce: claims.nonce ?? randomBytes(12).toString('base64url') };
  const payload = b64(JSON.stringify(full));
  return `${payload}.${b64(mac(secret, payload))}`;
}

const invalid = () => new AppError('LINK_INVALID', 'Download link is invalid');

/**
 * Verifies a token's MAC (constant time) before reading anything from it, then its expiry.
 * Tampered or malformed → 403 LINK_INVALID; expired → 410 LINK_EXPIRED.
 */
export function verifyLink(secret: string, token: string, nowSeconds: number): LinkClaims {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw invalid();
  const given = Buffer.from(parts[1], 'base64url');
  const expected = mac(secret, parts[0]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  let claims: LinkClaims;
  try {
    claims = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as LinkClaims;
  } catch {
    throw invalid();
  }
  if (
    typeof claims.exp !== 'number' ||
    typeof claims.linkId !== 'string' ||
    typeof claims.fileId !== 'string' ||
    typeof claims.userId !== 'string'
  ) {
    throw invalid();
  }
  if (claims.exp <= nowSeconds) throw new AppError('LINK_EXPIRED', 'Download link has expired');
  return claims;
}

/**
 * What one request may take from a link. `maxDownloads` bounds the bytes served, not the
 * requests that start at byte 0: a link for N downloads serves at most N × the size of the
 * representation, however the ranges are cut (one download fetched in pieces still works; a
 * range at any offset counts what it serves). An empty file counts each request as one download.
 */
export function withinBudget(
  l: { maxDownloads: number | null; bytesServed?: number },
  size: number,
  cost: number,
): boolean {
  if (l.maxDownloads === null) return true;
  const unit = Math.max(size, 1);
  return (l.bytesServed ?? 0) + Math.max(cost, 1) <= l.maxDownloads * unit;
}
