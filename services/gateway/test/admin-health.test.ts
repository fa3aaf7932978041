import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Harness, harness } from './helpers.js';

let h: Harness;
let fake: Server;

// A stand-in "files" that is ready and an "audit" whose database is down; nothing listens for chat.
beforeAll(async () => {
  fake = createServer((req, res) => {
    const down = req.headers.host?.startsWith('localhost');
    res.writeHead(req.url === '/health/ready' ? (down ? 503 : 200) : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(down ? { status: 'unavailable', down: ['mongo'] } : { status: 'ok', down: [] }));
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  const port = (fake.address() as AddressInfo).port;
  h = await harness({
    FILES_URL: `http://127.0.0.1:${port}`,
    AUDIT_URL: `http://localhost:${port}`,
    CHAT_URL: 'http://127.0.0.1:1',
    WATERMARK_URL: `http://127.0.0.1:${port}`,
  });
});
afterAll(async () => {
  await h?.close();
  await new Promise((r) => fake?.close(r));
});

describe('GET /v1/admin/health', () => {
  it('tells an admin which services are up and which are down, naming the failing dependency', async () => {
    const r = await h.app.inject({ url: '/v1/admin/health', headers: bearer(h.adminToken) });
    expect(r.statusCode, r.body).toBe(200);
    const by = Object.fromEntries(
      (r.json().items as { name: string; status: string; down: string[] }[]).map((s) => [s.name, s]),
    );
    expect(by.gateway).toMatchObject({ status: 'up', down: [] });
    expect(by.files).toMatchObject({ status: 'up' });
    expect(by.watermark).toMatchObject({ status: 'up' });
    expect(by.audit).toMatchObject({ status: 'down', down: ['mongo'] });
    expect(by.chat).toMatchObject({ status: 'down', down: [] });
    expect(Object.keys(by)).toEqual(expect.arrayContaining(['appointments', 'notify']));
    // Names only: no address or error text reaches the console.
    expect(r.body).not.toMatch(/127\.0\.0\.1|localhost|ECONNREFUSED/);
  });

  it('refuses anyone but an admin, and an anonymous caller', async () => {
    const clinician = await h.user('clinician');
    const r = await h.app.inject({ url: '/v1/admin/health', headers: bearer(clinician.accessToken) });
    expect(r.statusCode).toBe(403);
    expect((await h.app.inject({ url: '/v1/admin/health' })).statusCode).toBe(401);
  });
});
