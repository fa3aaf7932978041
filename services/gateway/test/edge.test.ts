import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serviceEnv, unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps } from '../src/deps.js';
import { publicRoutes } from '../src/docs/routes.js';
import { bearer, expectProblem, type Harness, harness } from './helpers.js';

let h: Harness;

beforeAll(async () => {
  h = await harness({
    RATE_LIMIT_MAX: '5',
    RATE_LIMIT_ANON_MAX: '3',
    CORS_ORIGINS: 'https://app.medvault.test, https://admin.medvault.test',
  });
});
afterAll(async () => {
  await h?.close();
});

describe('rate limiting', () => {
  it('limits each authenticated user separately and answers 429 with Retry-After', async () => {
    const a = await h.user('patient');
    const b = await h.user('patient');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await h.app.inject({ url: '/v1/me', headers: bearer(a.accessToken) })).statusCode);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    const limited = await h.app.inject({ url: '/v1/me', headers: bearer(a.accessToken) });
    expect(expectProblem(limited, 429).code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await h.app.inject({ url: '/v1/me', headers: bearer(b.accessToken) })).statusCode).toBe(200);
  });

  it('limits anonymous callers per IP', async () => {
    const ip = `10.200.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await h.app.inject({
        method: 'POST',
        url: '/v1/auth/refresh',
        payload: { refreshToken: 'rt_unknowntoken' },
        remoteAddress: ip,
      });
      statuses.push(r.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});

describe('security headers and CORS', () => {
  it('sets security headers on every answer', async () => {
    const r = await h.app.inject({ url: '/v1/me' });
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['strict-transport-security']).toContain('max-age=');
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
    // Framing refused twice over: CSP frame-ancestors for current browsers, X-Frame-Options for old ones.
    expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(r.headers['x-frame-options']).toMatch(/^(DENY|SAMEORIGIN)$/);
  });

  it('allows configured origins only', async () => {
    const ok = await h.app.inject({
      method: 'OPTIONS',
      url: '/v1/files',
      headers: { origin: 'https://app.medvault.test', 'access-control-request-method': 'POST' },
    });
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.medvault.test');
    const evil = await h.app.inject({ url: '/v1/me', headers: { origin: 'https://evil.test' } });
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('dependency outages', () => {
  it.each([
    ['redis', { REDIS_URL: 'redis://127.0.0.1:1' }],
    // The flavour is configured: `auto` would ask the absent server at start (and fail to start).
    ['mongo', { MONGO_URL: 'mongodb://127.0.0.1:1/medvault', MONGO_FLAVOUR: 'ferretdb' }],
  ])('answers a login with 503 naming %s when it is down', async (name, override) => {
    const deps = await buildDeps(
      loadServiceConfig(
        serviceEnv('gateway', { LOG_LEVEL: 'silent', MONGO_DB: unique('gw_down').replace(/-/g, '_'), ...override }),
      ),
    );
    const app = await buildApp(deps);
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: 'someone@medvault.test', password: 'whatever-password' },
      });
      expect(expectProblem(res, 503)).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', dependency: name });
    } finally {
      await app.close();
      deps.redis.disconnect();
      await deps.close();
    }
  });
});

describe('HTTPS', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves TLS when a certificate and key are configured', async () => {
    const tls = await harness({ TLS_CERT_FILE: join(dir, 'cert.pem'), TLS_KEY_FILE: join(dir, 'key.pem') });
    try {
      await tls.app.listen({ host: '127.0.0.1', port: 0 });
      const port = (tls.app.server.address() as { port: number }).port;
      const ca = readFileSync(join(dir, 'cert.pem'));
      const res = await new Promise<{ status: number; body: string; protocol: string }>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, path: '/v1/me', ca, servername: 'localhost', headers: bearer(tls.adminToken) },
          (r) => {
            const protocol = (r.socket as { getProtocol?: () => string }).getProtocol?.() ?? '';
            let body = '';
            r.on('data', (d) => (body += d));
            r.on('end', () => resolve({ status: r.statusCode ?? 0, body, protocol }));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).email).toBe(tls.adminEmail);
      expect(res.protocol).toMatch(/^TLSv1\.[23]$/);
    } finally {
      await tls.close();
    }
  });
});

describe('OpenAPI', () => {
  it('serves an OpenAPI 3.1 document and a self-contained browsable page', async () => {
    const doc = await h.app.inject('/docs/openapi.json');
    expect(doc.statusCode).toBe(200);
    expect(doc.json().openapi).toBe('3.1.0');
    const page = await h.app.inject('/docs');
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<script src="/docs/app.js">');
    expect(page.body).not.toMatch(/https?:\/\//);
    const js = await h.app.inject('/docs/app.js');
    expect(js.statusCode).toBe(200);
    expect(js.body).toContain('/docs/openapi.json');
  });

  it('resolves every schema reference and documents errors as problem+json', async () => {
    const doc = (await h.app.inject('/docs/openapi.json')).json();
    const text = JSON.stringify(doc);
    const refs = new Set([...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!));
    expect(refs.size).toBeGreaterThan(0);
    for (const r of refs) expect(doc.components.schemas, r).toHaveProperty(r);
    expect(Object.keys(doc.paths['/v1/auth/login'].post.responses['401'].content)).toEqual([
      'application/problem+json',
    ]);
  });

  it('documents only routes the gateway serves: every documented operation is routed', async () => {
    const paths = (await h.app.inject('/docs/openapi.json')).json().paths as Record<string, Record<string, unknown>>;
    const problems: string[] = [];
    for (const [path, ops] of Object.entries(paths)) {
      for (const method of Object.keys(ops)) {
        const url = path.replace(/\{(\w+)\}/g, (_m, n: string) =>
          n === 'userId' || (path.startsWith('/v1/users') && n === 'id') ? 'usr_01JD0000000000000000000000' : 'x1',
        );
        const res = await h.app.inject({
          method: method.toUpperCase() as 'GET',
          url,
          remoteAddress: `10.201.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
        });
        // Unauthenticated: protected routes answer 401, public ones validate (400); never 404.
        if (res.statusCode === 404) problems.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('documents every public route the gateway serves', async () => {
    const paths = (await h.app.inject('/docs/openapi.json')).json().paths as Record<string, Record<string, unknown>>;
    const documented = new Set(
      Object.entries(paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)),
    );
    const routes = h.app.printRoutes({ commonPrefix: false });
    const own = [
      'POST /v1/auth/login',
      'POST /v1/auth/refresh',
      'POST /v1/auth/logout',
      'GET /v1/me',
      'POST /v1/users',
      'GET /v1/users',
      'GET /v1/users/{id}',
      'PATCH /v1/users/{id}',
    ];
    for (const r of own) expect(documented, r).toContain(r);
    expect(routes).toContain('/v1/auth/login');
    // Each proxied prefix is documented with at least one operation.
    const prefixes = [
      '/v1/files',
      '/v1/links',
      '/v1/admin/rescan',
      '/v1/emergency-access',
      '/v1/appointments',
      '/v1/clinicians',
      '/v1/notifications',
      '/v1/audit',
    ];
    for (const prefix of prefixes) {
      expect(
        [...documented].some((d) => d.split(' ')[1]!.startsWith(prefix)),
        prefix,
      ).toBe(true);
    }
    // No /v1 route is left undocumented, the gateway's own or proxied (no catch-alls any more).
    const v1 = [...routes.matchAll(/^.*?(\/v1\/[^\s(]*)\s*\(([^)]*)\)/gm)].flatMap((m) =>
      m[2]!
        .split(', ')
        .map(
          (meth) => `${meth} ${m[1]!.replace(/:(\w+(?:\|:\w+)*)/g, (_x, n: string) => `{${n.replaceAll(':', '')}}`)}`,
        ),
    );
    // The router prints routes sharing a parameter position under every name (`:id|:clinicianId`).
    const variants = (r: string): string[] => {
      const m = /\{(\w+(?:\|\w+)+)\}/.exec(r);
      return m ? m[1]!.split('|').flatMap((n) => variants(r.replace(m[0], `{${n}}`))) : [r];
    };
    const undocumented = v1.filter(
      (r) => !r.startsWith('HEAD') && !r.startsWith('OPTIONS') && !variants(r).some((v) => documented.has(v)),
    );
    expect(v1.some((r) => r.includes('*'))).toBe(false);
    expect(v1.length).toBeGreaterThan(30);
    // Every operation a service documents is routed, under the same pattern.
    for (const r of publicRoutes) expect(h.app.hasRoute({ method: r.method, url: r.pattern }), r.pattern).toBe(true);
    expect(undocumented).toEqual([]);
  });
});
