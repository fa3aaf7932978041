import { describe, expect, it } from 'vitest';
import { crossSiteRefusal, csrfRefusal, isLocalHost, parseCookies, serializeCookie } from './browser-session.js';

const base = { method: 'POST', host: 'console.example.org', csrfCookie: 'tok123', csrfHeader: 'tok123' };

describe('browser session CSRF rules', () => {
  it('lets a same-origin state change with the matching CSRF header through', () => {
    expect(
      csrfRefusal({ ...base, origin: 'https://console.example.org', secFetchSite: 'same-origin' }),
    ).toBeUndefined();
  });

  it('refuses a cookie-authenticated state change without the CSRF header (a cross-site form cannot set it)', () => {
    expect(csrfRefusal({ ...base, csrfHeader: undefined })).toBe('missing CSRF token');
  });

  it('refuses a CSRF header that differs from the cookie', () => {
    expect(csrfRefusal({ ...base, csrfHeader: 'tok124' })).toBe('CSRF token mismatch');
  });

  it('refuses a foreign Origin or a cross-site fetch even with a matching token', () => {
    expect(csrfRefusal({ ...base, origin: 'https://evil.example' })).toBe('foreign origin');
    expect(csrfRefusal({ ...base, origin: 'null' })).toBe('foreign origin');
    expect(csrfRefusal({ ...base, secFetchSite: 'cross-site' })).toBe('cross-site request');
    expect(csrfRefusal({ ...base, secFetchSite: 'same-site' })).toBe('cross-site request');
  });

  it('lets safe methods through (they change nothing)', () => {
    expect(csrfRefusal({ method: 'GET', host: 'x', secFetchSite: 'cross-site' })).toBeUndefined();
  });

  it('refuses a cross-site sign-in but allows a direct one', () => {
    expect(crossSiteRefusal({ host: 'a.example', origin: 'https://b.example' })).toBe('foreign origin');
    expect(crossSiteRefusal({ host: 'a.example', secFetchSite: 'none' })).toBeUndefined();
  });
});

describe('browser session cookies', () => {
  it('are HttpOnly and SameSite=Strict when asked, Secure outside localhost', () => {
    const c = serializeCookie('mv_session', 'abc', { maxAgeSeconds: 900, httpOnly: true, secure: true });
    expect(c).toBe('mv_session=abc; Path=/; Max-Age=900; SameSite=Strict; HttpOnly; Secure');
    expect(isLocalHost('127.0.0.1:8080')).toBe(true);
    expect(isLocalHost('localhost')).toBe(true);
    expect(isLocalHost('console.example.org')).toBe(false);
  });

  it('are parsed from a Cookie header, the first of a repeated name winning', () => {
    const m = parseCookies('a=1; mv_csrf=x=y; a=2; junk');
    expect(m.get('a')).toBe('1');
    expect(m.get('mv_csrf')).toBe('x=y');
    expect(m.has('junk')).toBe(false);
  });
});
