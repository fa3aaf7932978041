import { timingSafeEqual } from 'node:crypto';

/**
 * The web console's browser session (CONTRACT: HttpOnly SameSite=Strict cookie, CSRF-protected,
 * logout clears it). Pure rules: cookie names and attributes, and the CSRF decision.
 *
 * The access token rides in an HttpOnly cookie (script never sees it); the refresh token in a
 * second HttpOnly cookie scoped to the session endpoints only; a third, script-readable cookie
 * holds a random CSRF token the console echoes in a header (double submit): a cross-site page
 * can make the browser send the cookies but can neither read that token nor set the header.
 */
export const SESSION_COOKIE = 'mv_session';
export const REFRESH_COOKIE = 'mv_refresh';
export const CSRF_COOKIE = 'mv_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** The refresh token is only ever sent to the session endpoints. */
export const REFRESH_PATH = '/v1/auth/session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    // The first occurrence wins (the most specific path comes first); never overwrite it.
    if (name && !out.has(name)) out.set(name, value);
  }
  return out;
}

export interface CookieOptions {
  maxAgeSeconds: number;
  httpOnly: boolean;
  secure: boolean;
  path?: string;
}

/** A Set-Cookie value; every cookie is SameSite=Strict. A max age of 0 clears it. */
export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${value}`, `Path=${o.path ?? '/'}`, `Max-Age=${Math.max(0, Math.floor(o.maxAgeSeconds))}`];
  parts.push('SameSite=Strict');
  if (o.httpOnly) parts.push('HttpOnly');
  if (o.secure) parts.push('Secure');
  return parts.join('; ');
}

/** CONTRACT: `Secure` outside localhost (a browser drops Secure cookies on plain-http localhost). */
export function isLocalHost(hostname: string): boolean {
  const h = hostname.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '127.0.0.1' || h === '::1' || h.endsWith('.localhost');
}

export interface CsrfInput {
  method: string;
  /** The request's own host (Host header, or the forwarded host behind a trusted proxy). */
  host: string;
  origin?: string | undefined;
  secFetchSite?: string | undefined;
  csrfHeader?: string | undefined;
  csrfCookie?: string | undefined;
}

/**
 * Why a cookie-authenticated request must be refused, or undefined when it may pass.
 * Safe methods pass (they change nothing). Unsafe ones need all of: no cross-site signal from the
 * browser (Sec-Fetch-Site, Origin), and the CSRF header equal to the CSRF cookie.
 */
export function csrfRefusal(i: CsrfInput): string | undefined {
  if (SAFE_METHODS.has(i.method.toUpperCase())) return undefined;
  const crossSite = crossSiteRefusal(i);
  if (crossSite) return crossSite;
  if (!i.csrfCookie || !i.csrfHeader) return 'missing CSRF token';
  const a = Buffer.from(i.csrfHeader);
  const b = Buffer.from(i.csrfCookie);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return 'CSRF token mismatch';
  return undefined;
}

/**
 * The browser's own cross-site signals alone. Signing in uses this (there is no CSRF token before
 * the session exists): a foreign page must not sign a victim's browser into another account.
 */
export function crossSiteRefusal(i: Pick<CsrfInput, 'host' | 'origin' | 'secFetchSite'>): string | undefined {
  if (i.secFetchSite && i.secFetchSite !== 'same-origin' && i.secFetchSite !== 'none') return 'cross-site request';
  if (i.origin !== undefined && !sameOrigin(i.origin, i.host)) return 'foreign origin';
  return undefined;
}

function sameOrigin(origin: string, host: string): boolean {
  if (origin === 'null') return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
