import { type BusTap, openBusTap } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, type Harness, harness, type TestUser } from './helpers.js';
import { type FakeUpstream, fakeUpstream } from './upstream.js';

/**
 * Pentest finding 17 (issue 14): a client-chosen X-Request-Id became the audit record's request
 * id (forgeable, collidable). The gateway now mints its own; the client's is only a hint.
 */
let h: Harness;
let tap: BusTap;
let files: FakeUpstream;
let patient: TestUser;
const GATEWAY_ID = /^req_[0-9A-HJKMNP-TV-Z]{26}$/;

beforeAll(async () => {
  files = await fakeUpstream('files');
  tap = await openBusTap(['request.completed']);
  h = await harness({ FILES_URL: files.url });
  patient = await h.user('patient');
});
afterAll(async () => {
  await h?.close();
  await tap?.close();
  await files?.close();
});

describe('request ids (finding 17)', () => {
  it("never uses the client's X-Request-Id as the request id of the audit record, logs or upstream call", async () => {
    const forged = `forged-${Date.now()}`;
    const res = await h.app.inject({
      url: '/v1/files/fil_01JD0000000000000000000001',
      headers: { ...bearer(patient.accessToken), 'x-request-id': forged },
    });
    expect(res.statusCode).toBe(200);
    const id = String(res.headers['x-request-id']);
    expect(id).toMatch(GATEWAY_ID);
    expect(files.seen.at(-1)!.headers['x-request-id']).toBe(id);
    const ev = await tap.waitFor('request.completed', (e) => e.data.clientRequestId === forged);
    expect(ev.correlationId).toBe(id);
    expect(ev.correlationId).not.toBe(forged);
  });

  it('gives two requests carrying the same client id two distinct request ids', async () => {
    const headers = { ...bearer(patient.accessToken), 'x-request-id': 'same-id-twice' };
    const a = await h.app.inject({ url: '/v1/me', headers });
    const b = await h.app.inject({ url: '/v1/me', headers });
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    expect(a.json()).toMatchObject({ id: patient.id });
  });

  it('drops a malformed or over-long client id instead of recording it', async () => {
    const long = 'x'.repeat(200);
    const res = await h.app.inject({
      url: '/v1/files/fil_01JD0000000000000000000002',
      headers: { ...bearer(patient.accessToken), 'x-request-id': long },
    });
    const id = String(res.headers['x-request-id']);
    const ev = await tap.waitFor('request.completed', (e) => e.correlationId === id);
    expect(ev.data.clientRequestId).toBeUndefined();
  });
});
