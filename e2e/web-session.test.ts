import { describe, expect, it } from 'vitest';
import { adminToken, call, createUser, GATEWAY } from './support/client.js';

/** Cookies of a Set-Cookie list as one Cookie header, and the CSRF token among them. */
function jar(res: Response) {
  const set = res.headers.getSetCookie();
  const pairs = set.map((c) => c.split(';')[0] ?? '').filter((p) => !p.endsWith('='));
  const csrf = pairs.find((p) => p.startsWith('mv_csrf='))?.slice('mv_csrf='.length) ?? '';
  return { set, cookie: pairs.join('; '), csrf };
}

async function browserLogin(email: string, password: string) {
  const res = await fetch(`${GATEWAY}/v1/auth/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  expect(res.status).toBe(200);
  return jar(res);
}

describe('web console browser session (HTTP level)', () => {
  it('signs a browser in with HttpOnly SameSite=Strict cookies and returns no token to script', async () => {
    const admin = await adminToken();
    const u = await createUser(admin, 'patient');
    const res = await fetch(`${GATEWAY}/v1/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: u.email, password: u.password }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['expiresIn']);
    const session = res.headers.getSetCookie().find((c) => c.startsWith('mv_session='));
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    const me = await call('GET', '/v1/me', { headers: { cookie: jar(res).cookie } });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(u.id);
  });

  it('refuses a cross-site form post that carries the session cookie', async () => {
    const admin = await adminToken();
    const a = await createUser(admin, 'admin');
    const s = await browserLogin(a.email, a.password);
    const forged = await call('POST', '/v1/users', {
      headers: {
        cookie: s.cookie,
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
      },
      body: 'email=evil%40evil.example&password=Evil-Evil-Evil-42&role=admin&name=Evil',
    });
    expect(forged.status).toBe(403);
    // Without the CSRF header, even from no declared origin.
    const noToken = await call('POST', '/v1/users', {
      headers: { cookie: s.cookie },
      json: {
        email: `x-${Date.now()}@e2e.medvault.test`,
        password: 'Quiet-Harbor-Lantern-58',
        role: 'patient',
        name: 'X',
      },
    });
    expect(noToken.status).toBe(403);
    expect(noToken.body.code).toBe('FORBIDDEN');
  });

  it('accepts a same-origin state change with the CSRF header, and bearer tokens work as before', async () => {
    const admin = await adminToken();
    const a = await createUser(admin, 'admin');
    const s = await browserLogin(a.email, a.password);
    const email = `csrf-ok-${Date.now()}@e2e.medvault.test`;
    const ok = await call('POST', '/v1/users', {
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
      json: { email, password: 'Quiet-Harbor-Lantern-58', role: 'patient', name: 'Csrf Ok' },
    });
    expect(ok.status).toBe(201);
    const bearer = await call('GET', '/v1/me', { token: a.token });
    expect(bearer.status).toBe(200);
  });

  it('signing out clears the cookies and revokes the session token', async () => {
    const admin = await adminToken();
    const u = await createUser(admin, 'patient');
    const s = await browserLogin(u.email, u.password);
    const out = await fetch(`${GATEWAY}/v1/auth/session/logout`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
    });
    expect(out.status).toBe(204);
    for (const c of out.headers.getSetCookie()) expect(c).toMatch(/Max-Age=0/);
    const after = await call('GET', '/v1/me', { headers: { cookie: s.cookie } });
    expect(after.status).toBe(401);
  });

  it('serves the console with a CSP that allows no inline script and forbids framing', async () => {
    const r = await call('GET', '/files', { headers: { accept: 'text/html' } });
    const csp = r.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    // An unknown API path stays an API 404, never the console page.
    const api = await call('GET', '/v1/no-such-route');
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toMatch(/problem\+json/);
  });
});
