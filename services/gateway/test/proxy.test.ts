import { get } from 'node:http';
import { Readable } from 'node:stream';
import { type BusTap, openBusTap } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem, type Harness, harness, type TestUser } from './helpers.js';
import { type FakeUpstream, fakeUpstream } from './upstream.js';

let h: Harness;
let tap: BusTap;
const up: Record<string, FakeUpstream> = {};
let patient: TestUser;

beforeAll(async () => {
  for (const n of ['files', 'appointments', 'notify', 'audit']) up[n] = await fakeUpstream(n);
  tap = await openBusTap(['request.completed']);
  h = await harness({
    FILES_URL: up.files!.url,
    APPOINTMENTS_URL: up.appointments!.url,
    NOTIFY_URL: up.notify!.url,
    AUDIT_URL: up.audit!.url,
    UPSTREAM_TIMEOUT_MS: '500',
    UPLOAD_BODY_LIMIT_BYTES: String(4 * 1024 * 1024),
  });
  patient = await h.user('patient');
});
afterAll(async () => {
  await h?.close();
  await tap?.close();
  await Promise.all(Object.values(up).map((u) => u.close()));
});

describe('routing to internal services', () => {
  it.each([
    ['/v1/files/fil_01JD0000000000000000000000?x=1', 'files'],
    ['/v1/files/fil_01JD0000000000000000000000/shares/usr_01JD0000000000000000000000', 'files', 'DELETE'],
    ['/v1/admin/rescan', 'files', 'POST'],
    ['/v1/emergency-access', 'files'],
    ['/v1/appointments', 'appointments'],
    ['/v1/clinicians/usr_01JD0000000000000000000000/availability?date=2026-01-05', 'appointments'],
    ['/v1/notifications', 'notify'],
    ['/v1/audit/events?from=2026-01-01T00:00:00Z', 'audit'],
  ])('routes %s to %s, path and query preserved', async (url, name, method = 'GET') => {
    const res = await h.app.inject({ method: method as 'GET', url, headers: bearer(patient.accessToken) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ upstream: name });
    expect(up[name]!.seen.at(-1)!.url).toBe(url);
  });

  it.each([
    ['GET', '/v1/links/abc/info'],
    ['GET', '/v1/admin/rescan'],
    ['POST', '/v1/files/fil_01JD0000000000000000000000'],
    ['GET', '/v1/clinicians'],
  ])('answers %s %s (documented by no service) itself with 404, never reaching a service', async (method, url) => {
    const before = Object.values(up).reduce((n, u) => n + u.seen.length, 0);
    const res = await h.app.inject({ method: method as 'GET', url, headers: bearer(patient.accessToken) });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND', detail: `No route ${method} ${url}` });
    expect(Object.values(up).reduce((n, u) => n + u.seen.length, 0)).toBe(before);
  });

  it('forwards the token, request id, client address and user agent, and nothing an upstream would trust blindly', async () => {
    const res = await h.app.inject({
      url: '/v1/files/fil_01JD0000000000000000000001',
      headers: {
        ...bearer(patient.accessToken),
        'x-request-id': 'trace-123',
        'user-agent': 'vitest-agent',
        'x-user-id': 'usr_spoofed',
        'x-forwarded-for': '6.6.6.6',
        cookie: 'session=secret',
      },
      remoteAddress: '10.1.2.3',
    });
    expect(res.statusCode).toBe(200);
    // The gateway's own request id goes up, never the client's (finding 17).
    expect(res.headers['x-request-id']).toMatch(/^req_/);
    const seen = up.files!.seen.at(-1)!.headers;
    expect(seen.authorization).toBe(`Bearer ${patient.accessToken}`);
    expect(seen['x-request-id']).toBe(res.headers['x-request-id']);
    expect(seen['user-agent']).toBe('vitest-agent');
    expect(seen['x-forwarded-for']).toBe('10.1.2.3');
    expect(seen['x-user-id']).toBeUndefined();
    expect(seen.cookie).toBeUndefined();
  });

  it('refuses unauthenticated calls before they reach the upstream', async () => {
    const before = up.files!.seen.length;
    expectProblem(await h.app.inject({ url: '/v1/files' }), 401);
    expectProblem(await h.app.inject({ url: '/v1/files', headers: { authorization: 'Bearer nonsense' } }), 401);
    expect(up.files!.seen.length).toBe(before);
  });

  it('passes upstream errors through unchanged', async () => {
    const res = await h.app.inject({ url: '/v1/files/x?status=403', headers: bearer(patient.accessToken) });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ upstream: 'files' });
  });
});

describe('streaming', () => {
  it('streams an upload through to the upstream', async () => {
    const size = 3 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 7);
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < size / chunk.length; i++) yield chunk;
      })(),
    );
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/files',
      headers: { ...bearer(patient.accessToken), 'content-type': 'multipart/form-data; boundary=x' },
      payload: body,
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().bytes).toBe(size);
  });

  it('answers 413 for an upload over the limit, by length or while streaming', async () => {
    const declared = await h.app.inject({
      method: 'POST',
      url: '/v1/files',
      headers: {
        ...bearer(patient.accessToken),
        'content-type': 'application/octet-stream',
        'content-length': String(5 * 1024 * 1024),
      },
      payload: Buffer.alloc(5 * 1024 * 1024),
    });
    expect(expectProblem(declared, 413).code).toBe('PAYLOAD_TOO_LARGE');
    const chunk = Buffer.alloc(256 * 1024, 1);
    const endless = Readable.from(
      (function* () {
        for (let i = 0; i < 40; i++) yield chunk;
      })(),
    );
    const streamed = await h.app.inject({
      method: 'POST',
      url: '/v1/files',
      headers: { ...bearer(patient.accessToken), 'content-type': 'application/octet-stream' },
      payload: endless,
    });
    expectProblem(streamed, 413);
  });

  it('holds JSON bodies to BODY_LIMIT_BYTES: only multipart uploads get the upload limit', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/files/x/links',
      headers: { ...bearer(patient.accessToken), 'content-type': 'application/json' },
      payload: JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }),
    });
    expect(expectProblem(res, 413).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('passes Range requests and partial content through', async () => {
    const res = await h.app.inject({
      url: '/v1/links/tok',
      headers: { ...bearer(patient.accessToken), range: 'bytes=2-5' },
    });
    expect(res.statusCode).toBe(206);
    expect(res.headers['content-range']).toBe('bytes 2-5/20');
    expect(res.body).toBe('2345');
    expect(up.files!.seen.at(-1)!.headers.range).toBe('bytes=2-5');
  });

  it('relays server-sent events as they come, unbuffered', async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (h.app.server.address() as { port: number }).port;
    const events = await new Promise<{ chunks: number; all: string }>((resolve, reject) => {
      get(
        { host: '127.0.0.1', port, path: '/v1/notifications/stream', headers: bearer(patient.accessToken) },
        (res) => {
          expect(res.headers['content-type']).toContain('text/event-stream');
          let all = '';
          let chunks = 0;
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            chunks++;
            all += d;
          });
          res.on('end', () => resolve({ chunks, all }));
        },
      ).on('error', reject);
    });
    expect(events.all).toContain('data: {"n":1}');
    expect(events.all).toContain('data: {"n":3}');
    // Events are written 150 ms apart upstream: buffering would deliver them as one chunk at the end.
    expect(events.chunks).toBeGreaterThanOrEqual(2);
  });
});

describe('upstream failures', () => {
  it('maps a slow upstream to 504', async () => {
    const p = expectProblem(
      await h.app.inject({ url: '/v1/appointments/slow', headers: bearer(patient.accessToken) }),
      504,
    );
    expect(p.code).toBe('UPSTREAM_TIMEOUT');
  });

  it('maps a dropped connection to 502', async () => {
    const p = expectProblem(await h.app.inject({ url: '/v1/files/broken', headers: bearer(patient.accessToken) }), 502);
    expect(p.code).toBe('UPSTREAM_FAILED');
  });

  it('maps an unreachable upstream to 503 naming it', async () => {
    const down = await harness({
      FILES_URL: 'http://127.0.0.1:1',
      APPOINTMENTS_URL: up.appointments!.url,
      NOTIFY_URL: up.notify!.url,
      AUDIT_URL: up.audit!.url,
    });
    try {
      const p = expectProblem(await down.app.inject({ url: '/v1/files', headers: bearer(down.adminToken) }), 503);
      expect(p).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', dependency: 'files' });
    } finally {
      await down.close();
    }
  });
});

describe('access audit', () => {
  it('publishes request.completed with who, what, outcome, origin and request id, in the background', async () => {
    const rid = `audit-${Date.now()}`;
    const res = await h.app.inject({
      url: '/v1/files/fil_01JD0000000000000000000009?patientId=usr_01JD0000000000000000000008',
      headers: { ...bearer(patient.accessToken), 'x-request-id': rid, 'user-agent': 'audit-agent' },
      remoteAddress: '10.4.4.4',
    });
    expect(res.statusCode).toBe(200);
    const ev = await tap.waitFor('request.completed', (e) => e.correlationId === res.headers['x-request-id']);
    expect(ev.data.clientRequestId).toBe(rid);
    expect(ev.data).toMatchObject({
      method: 'GET',
      route: '/v1/files/:id',
      status: 200,
      resourceType: 'file',
      resourceId: 'fil_01JD0000000000000000000009',
      patientId: 'usr_01JD0000000000000000000008',
    });
    expect(ev.data.durationMs).toBeGreaterThanOrEqual(0);
    expect(ev.actor).toMatchObject({ userId: patient.id, role: 'patient', ip: '10.4.4.4', userAgent: 'audit-agent' });
  });

  it('records refused anonymous requests too', async () => {
    const rid = `anon-${Date.now()}`;
    const res = await h.app.inject({ url: '/v1/audit/events', headers: { 'x-request-id': rid } });
    const ev = await tap.waitFor('request.completed', (e) => e.correlationId === res.headers['x-request-id']);
    expect(ev.data).toMatchObject({ status: 401, route: '/v1/audit/events' });
    expect(ev.actor).toMatchObject({ userId: 'anonymous', role: 'system' });
  });
});
