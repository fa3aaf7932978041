import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_ASSERTION_HEADER, GatewayAssertionVerifier } from '@medvault/common/auth';
import { localPublicKeyPem, repoRoot } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Harness, harness, type TestUser } from './helpers.js';
import { type FakeUpstream, fakeUpstream } from './upstream.js';

// Internal services accept only requests carrying the gateway's assertion (pentest finding 12):
// the gateway must attach one to every proxied request, bound to that request and its client.

let h: Harness;
const up: Record<string, FakeUpstream> = {};
let patient: TestUser;
const publicKeyPem = readFileSync(join(repoRoot, '.local/state/internal/public.pem'), 'utf8');

beforeAll(async () => {
  for (const n of ['files', 'appointments', 'notify', 'audit']) up[n] = await fakeUpstream(n);
  h = await harness({
    FILES_URL: up.files!.url,
    APPOINTMENTS_URL: up.appointments!.url,
    NOTIFY_URL: up.notify!.url,
    AUDIT_URL: up.audit!.url,
  });
  patient = await h.user('patient');
});
afterAll(async () => {
  await h?.close();
  await Promise.all(Object.values(up).map((u) => u.close()));
});

function check(service: string, seen: FakeUpstream['seen'][number]) {
  const auth = seen.headers.authorization;
  return new GatewayAssertionVerifier({ publicKeyPem, audience: service }).check(
    seen.headers[GATEWAY_ASSERTION_HEADER],
    {
      requestId: String(seen.headers['x-request-id']),
      method: seen.method,
      url: seen.url,
      authorization: typeof auth === 'string' ? auth : undefined,
    },
  );
}

describe('gateway assertion on proxied requests', () => {
  it.each([
    ['/v1/files/fil_01JD0000000000000000000000?x=1', 'files'],
    ['/v1/appointments', 'appointments'],
    ['/v1/notifications', 'notify'],
    ['/v1/audit/events?from=2026-01-01T00:00:00Z', 'audit'],
  ])('vouches for %s to %s, with the client address it saw, not the forged X-Forwarded-For', async (url, name) => {
    const res = await h.app.inject({
      url,
      headers: { ...bearer(patient.accessToken), 'x-forwarded-for': '6.6.6.6' },
      remoteAddress: '10.9.8.7',
    });
    expect(res.statusCode, res.body).toBe(200);
    const seen = up[name]!.seen.at(-1)!;
    expect(check(name, seen)).toEqual({ ok: true, clientIp: '10.9.8.7' });
    // Minted for that service only: useless against another one.
    const other = name === 'files' ? 'audit' : 'files';
    expect(check(other, seen).ok).toBe(false);
  });

  it("replaces a client's own assertion header instead of forwarding it", async () => {
    const res = await h.app.inject({
      url: '/v1/appointments',
      headers: { ...bearer(patient.accessToken), [GATEWAY_ASSERTION_HEADER]: 'client-made' },
    });
    expect(res.statusCode).toBe(200);
    const seen = up.appointments!.seen.at(-1)!;
    expect(seen.headers[GATEWAY_ASSERTION_HEADER]).not.toBe('client-made');
    expect(check('appointments', seen).ok).toBe(true);
  });

  it('never signs with the access-token key (a leaked access key pair cannot mint assertions)', () => {
    expect(publicKeyPem).not.toBe(localPublicKeyPem());
  });
});
