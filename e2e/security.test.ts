import { createHmac, generateKeyPairSync } from 'node:crypto';
import { connect } from 'node:net';
import { localPublicKeyPem, mintTestToken } from '@medvault/common/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  call,
  createUser,
  GATEWAY,
  isProblem,
  type TestUser,
  upload,
  waitForStatus,
} from './support/client.js';
import { makePdf } from './support/fixtures.js';
import { newQuarantineKeys, quarantineKeys } from './support/ops.js';

/**
 * What an attacker would try against the live gateway. Every case must answer 4xx with a
 * problem+json body and leave nothing behind (no object in S3, no record, no event).
 */
let admin: string;
let patient: TestUser;
let other: TestUser;
let clinician: TestUser;
let fileId: string;

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const claims = (over: Record<string, unknown> = {}) => ({
  sub: patient.id,
  role: 'patient',
  jti: `j-${Math.random()}`,
  iat: Math.floor(Date.now() / 1000),
  exp: Math.floor(Date.now() / 1000) + 600,
  iss: process.env.JWT_ISSUER,
  aud: process.env.JWT_AUDIENCE,
  typ: 'access',
  ...over,
});

beforeAll(async () => {
  admin = await adminToken();
  patient = await createUser(admin, 'patient');
  other = await createUser(admin, 'patient');
  clinician = await createUser(admin, 'clinician');
  const up = await upload(patient.token, { name: 'mine.pdf', content: makePdf('private') });
  fileId = up.body.id;
  await waitForStatus(patient.token, fileId, ['available']);
});

async function expectRefused(r: Awaited<ReturnType<typeof call>>, statuses: number[]) {
  expect(statuses, `status ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`).toContain(r.status);
  expect(isProblem(r), `problem+json body, got ${r.headers.get('content-type')}`).toBe(true);
}

describe('forged and broken tokens', () => {
  const cases: [string, () => string][] = [
    ['alg none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims({ role: 'admin' }))}.`],
    [
      'HS256 signed with the public key',
      () => {
        const pub = localPublicKeyPem();
        const h = b64({ alg: 'HS256', typ: 'JWT' });
        const p = b64(claims({ role: 'admin' }));
        return `${h}.${p}.${createHmac('sha256', pub).update(`${h}.${p}`).digest('base64url')}`;
      },
    ],
    ['expired', () => mintTestToken({ sub: patient.id, role: 'patient', ttl: -60 })],
    ['another issuer', () => mintTestToken({ sub: patient.id, role: 'patient', iss: 'evil' })],
    ['another audience', () => mintTestToken({ sub: patient.id, role: 'patient', aud: 'other-api' })],
    [
      'tampered payload',
      () => {
        const [h, , s] = patient.token.split('.');
        return `${h}.${b64(claims({ role: 'admin' }))}.${s}`;
      },
    ],
    [
      'signed by a foreign key',
      () => {
        const { privateKey } = generateKeyPairSync('ed25519');
        return mintTestToken({
          sub: patient.id,
          role: 'admin',
          privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        });
      },
    ],
    ['garbage', () => 'not-a-jwt'],
  ];
  for (const [name, token] of cases) {
    it(`refuses a token that is ${name}`, async () => {
      await expectRefused(await call('GET', '/v1/me', { token: token() }), [401]);
      await expectRefused(await call('GET', `/v1/files/${fileId}`, { token: token() }), [401]);
    });
  }
});

describe('privilege escalation and IDOR', () => {
  it('keeps a patient out of admin routes and from changing their own role', async () => {
    await expectRefused(await call('GET', '/v1/users', { token: patient.token }), [403]);
    await expectRefused(
      await call('POST', '/v1/users', {
        token: patient.token,
        json: { email: 'x@y.test', password: 'Password-123!', role: 'admin', name: 'x' },
      }),
      [403],
    );
    await expectRefused(
      await call('PATCH', `/v1/users/${patient.id}`, { token: patient.token, json: { role: 'admin' } }),
      [403],
    );
    await expectRefused(await call('GET', '/v1/audit/events', { token: patient.token }), [403]);
  });

  it('refuses another patient on every id-bearing file route', async () => {
    const t = other.token;
    await expectRefused(await call('GET', `/v1/files/${fileId}`, { token: t }), [403, 404]);
    await expectRefused(await call('POST', `/v1/files/${fileId}/links`, { token: t, json: {} }), [403, 404]);
    await expectRefused(
      await call('POST', `/v1/files/${fileId}/shares`, { token: t, json: { userId: other.id } }),
      [403, 404],
    );
    await expectRefused(await call('DELETE', `/v1/files/${fileId}`, { token: t }), [403, 404]);
    await expectRefused(await call('POST', `/v1/files/${fileId}/restore`, { token: t }), [403, 404]);
    const list = await call('GET', '/v1/files', { token: t });
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(fileId);
  });

  it('refuses a clinician without a care relationship', async () => {
    await expectRefused(await call('GET', `/v1/files/${fileId}`, { token: clinician.token }), [403]);
  });

  it('refuses a link used by someone else, and a replayed single-use link', async () => {
    const link = await call('POST', `/v1/files/${fileId}/links`, {
      token: patient.token,
      json: { maxDownloads: 1 },
    });
    expect(link.status).toBe(201);
    await expectRefused(await call('GET', link.body.url, { token: other.token }), [403]);
    expect((await call('GET', link.body.url, { token: patient.token })).status).toBe(200);
    await expectRefused(await call('GET', link.body.url, { token: patient.token }), [410]);
    const tampered = link.body.url.slice(0, -3) + (link.body.url.endsWith('AAA') ? 'BBB' : 'AAA');
    await expectRefused(await call('GET', tampered, { token: patient.token }), [403, 410]);
  });
});

describe('hostile input', () => {
  it('refuses Mongo operators, wrong types and extra properties with 400 naming the field', async () => {
    const r = await call('POST', '/v1/auth/login', { json: { email: { $gt: '' }, password: 'x' } });
    await expectRefused(r, [400]);
    expect(JSON.stringify(r.body)).toContain('email');
    await expectRefused(
      await call('POST', '/v1/auth/login', { json: { email: 'a@b.test', password: 'x', admin: true } }),
      [400],
    );
  });

  it('stores a path-traversal, bidi-override name safely or refuses it, never as given', async () => {
    for (const name of ['../../etc/passwd', 'a\u202Egnp.exe', `${'n'.repeat(10_000)}.txt`]) {
      const r = await upload(patient.token, {
        name,
        content: Buffer.from(`note ${name.length} ${Math.random()}`),
        type: 'text/plain',
      });
      if (r.status === 202) {
        expect(r.body.name).not.toContain('/');
        expect(r.body.name).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
        expect(r.body.name.length).toBeLessThanOrEqual(255);
      } else {
        await expectRefused(r, [400]);
      }
    }
  });

  it('refuses a content type outside the allow-list and leaves no object behind', async () => {
    const before = await quarantineKeys();
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(200)]);
    await expectRefused(
      await upload(patient.token, { name: 'tool.pdf', content: elf, type: 'application/pdf' }),
      [415],
    );
    expect(await newQuarantineKeys(before)).toEqual([]);
  });

  it('refuses malformed multipart and non-multipart uploads', async () => {
    await expectRefused(
      await call('POST', '/v1/files', {
        token: patient.token,
        body: '--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nunterminated',
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
      }),
      [400],
    );
    await expectRefused(await call('POST', '/v1/files', { token: patient.token, json: { file: 'AAAA' } }), [400, 415]);
  });

  it('refuses an oversized JSON body with 413', async () => {
    await expectRefused(
      await call('POST', '/v1/auth/login', { json: { email: 'a@b.test', password: 'x'.repeat(2_000_000) } }),
      [413],
    );
  });

  it('cuts off a slow upload (slowloris) instead of holding the connection for ever', async () => {
    const url = new URL(GATEWAY);
    const closedAfterMs = await new Promise<number>((resolve) => {
      const started = Date.now();
      const sock = connect(Number(url.port), url.hostname, () => {
        sock.write(`POST /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${patient.token}\r\n`);
        sock.write('Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\n');
      });
      const drip = setInterval(() => sock.write('a'), 1000);
      const done = () => {
        clearInterval(drip);
        resolve(Date.now() - started);
      };
      sock.on('close', done);
      sock.on('error', done);
      setTimeout(() => sock.destroy(), 90_000).unref();
    });
    expect(closedAfterMs).toBeLessThan(90_000);
  });

  it('answers unknown routes with a problem+json 404', async () => {
    await expectRefused(await call('GET', '/v1/nope', { token: patient.token }), [404]);
  });
});
