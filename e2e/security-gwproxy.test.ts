import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { mintTestToken } from '@medvault/common/testing';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, call, createUser, GATEWAY, login, type TestUser, upload } from './support/client.js';

/**
 * Issue 14 (outside pentest), findings 3, 4, 8 and 19: the gateway's streaming proxy and the
 * notification stream, attacked through the live gateway.
 */
const gw = new URL(GATEWAY);
let admin: string;
let alice: TestUser;
let bob: TestUser;
const open: (() => void)[] = [];

beforeAll(async () => {
  admin = await adminToken();
  alice = await createUser(admin, 'patient');
  bob = await createUser(admin, 'patient');
});
afterEach(() => {
  for (const close of open.splice(0)) close();
});

interface Sse {
  status: number;
  body: string;
  data: string[];
  ended: Promise<number>;
}

/** An EventSource-like reader of GET /v1/notifications/stream on its own connection. */
function sse(token: string): Promise<Sse> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: gw.hostname,
        port: gw.port,
        path: '/v1/notifications/stream',
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
        agent: false,
      },
      (res) => {
        const s: Sse = {
          status: res.statusCode ?? 0,
          body: '',
          data: [],
          ended: new Promise((done) => {
            res.on('end', () => done(Date.now()));
            res.on('close', () => done(Date.now()));
            res.on('error', () => done(Date.now()));
          }),
        };
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          s.body += d;
          for (const line of d.split('\n')) if (line.startsWith('data: ')) s.data.push(line.slice(6));
        });
        open.push(() => req.destroy());
        resolve(s);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const within = (p: Promise<number>, ms: number) =>
  Promise.race([p, new Promise<number>((r) => setTimeout(() => r(0), ms))]);

async function timed(fn: () => Promise<{ status: number }>) {
  const t = Date.now();
  const r = await fn();
  return { status: r.status, ms: Date.now() - t };
}

describe("one user's rejected upload does not break another user's request (finding 3)", () => {
  it.each([256 * 1024, 3 * 1024 * 1024])(
    'an upload of %i bytes of a refused type gets 415, and requests of another user right after it answer at once',
    async (size) => {
      const refused = await upload(alice.token, { name: 'x.bin', content: randomBytes(size) });
      expect(refused.status, JSON.stringify(refused.body).slice(0, 200)).toBe(415);
      for (let i = 0; i < 5; i++) {
        const next = await timed(() => call('GET', '/v1/files?limit=5', { token: bob.token }));
        expect(next.status).toBe(200);
        expect(next.ms).toBeLessThan(5000); // a poisoned upstream connection hangs 30 s, then 504
      }
    },
    60_000,
  );
});

describe('notification streams are capped per user and kept off the ordinary pool (finding 4)', () => {
  it('a user past the stream cap gets 429 TOO_MANY_STREAMS while everyone’s inbox stays fast', async () => {
    const max = Number(process.env.SSE_MAX_STREAMS_PER_USER ?? 5);
    for (let i = 0; i < max; i++) expect((await sse(alice.token)).status).toBe(200);
    const over = await call('GET', '/v1/notifications/stream', { token: alice.token });
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ code: 'TOO_MANY_STREAMS' });
    for (const who of [alice, bob]) {
      const inbox = await timed(() => call('GET', '/v1/notifications', { token: who.token }));
      expect(inbox.status).toBe(200);
      expect(inbox.ms).toBeLessThan(2000);
    }
  });
});

describe('open streams end when their token stops being valid (finding 8)', () => {
  it('logout ends the open stream within a second', async () => {
    const u = await createUser(admin, 'patient');
    const s = await sse(u.token);
    expect(s.status).toBe(200);
    expect((await call('POST', '/v1/auth/logout', { token: u.token })).status).toBe(204);
    const at = Date.now();
    const endedAt = await within(s.ended, 1500);
    expect(endedAt, 'stream still open after logout').toBeGreaterThan(0);
    expect(endedAt - at).toBeLessThan(1000);
  });

  it('deactivation by an admin ends the open stream within a second', async () => {
    const u = await createUser(admin, 'clinician');
    const s = await sse(u.token);
    expect(s.status).toBe(200);
    expect((await call('PATCH', `/v1/users/${u.id}`, { token: admin, json: { active: false } })).status).toBe(200);
    const at = Date.now();
    const endedAt = await within(s.ended, 1500);
    expect(endedAt, 'stream still open after deactivation').toBeGreaterThan(0);
    expect(endedAt - at).toBeLessThan(1000);
  });

  it('a stream ends when its access token expires', async () => {
    const exp = (Math.floor(Date.now() / 1000) + 3) * 1000;
    const s = await sse(mintTestToken({ sub: bob.id, role: 'patient', ttl: 3 }));
    expect(s.status).toBe(200);
    const endedAt = await within(s.ended, 5000);
    expect(endedAt, 'stream still open after its token expired').toBeGreaterThan(0);
    expect(endedAt).toBeLessThan(exp + 1000);
  });

  it('a new login of the logged-out user streams again', async () => {
    const u = await createUser(admin, 'patient');
    await call('POST', '/v1/auth/logout', { token: u.token });
    expect((await call('GET', '/v1/notifications/stream', { token: u.token })).status).toBe(401);
    expect((await sse(await login(u.email, u.password))).status).toBe(200);
  });
});

describe("the client's Connection: close is honoured (finding 19)", () => {
  it('a proxied response carries Connection: close and the gateway closes the connection', async () => {
    const { text, closed } = await new Promise<{ text: string; closed: boolean }>((resolve, reject) => {
      const socket = connect(Number(gw.port), gw.hostname);
      let text = '';
      let closed = false;
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (text += d));
      socket.on('end', () => (closed = true));
      socket.on('error', reject);
      socket.write(
        `GET /v1/notifications HTTP/1.1\r\nHost: ${gw.host}\r\nAuthorization: Bearer ${alice.token}\r\nConnection: close\r\n\r\n`,
      );
      setTimeout(() => {
        socket.destroy();
        resolve({ text, closed });
      }, 1500);
    });
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    expect(text.toLowerCase()).toContain('connection: close');
    expect(text.toLowerCase()).not.toContain('connection: keep-alive');
    expect(closed).toBe(true);
  });
});
