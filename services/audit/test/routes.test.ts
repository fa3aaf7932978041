import { eventually, gatewayHeaders, unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deps } from '../src/deps.js';
import type { AuditRecord } from '../src/domain/record.js';
import { hashOf } from '../src/domain/record.js';
import { appFor, bearer, chainEnv, closeAll, ev, instance } from './helpers.js';

let deps: Deps;
let app: Awaited<ReturnType<typeof appFor>>;
const patientId = unique('usr');
const clinicianId = unique('usr');
const compliance = unique('usr');

beforeAll(async () => {
  deps = instance(chainEnv());
  app = await appFor(deps);
  const actor = {
    userId: clinicianId,
    role: 'clinician' as const,
    ip: '10.1.2.3',
    userAgent: 'Agent "quoted", with comma',
  };
  for (let i = 0; i < 5; i++) {
    await deps.audit.ingest(ev('file.downloaded', { fileId: `fil_${i}`, ownerId: patientId, bytes: i }, { actor }));
  }
  await deps.audit.ingest(
    ev(
      'appointment.booked',
      {
        appointmentId: 'apt_1',
        clinicianId,
        patientId: unique('usr'),
        start: '2026-12-01T10:00:00Z',
        end: '2026-12-01T10:30:00Z',
      },
      { source: 'appointments', actor: { userId: compliance, role: 'admin' } },
    ),
  );
  await deps.audit.ingest(
    ev('access.denied', { reason: '=HYPERLINK("x")', resourceType: 'file', resourceId: 'fil_0', patientId }, { actor }),
  );
});

afterAll(closeAll);

const routes = ['/v1/audit/events', '/v1/audit/export?format=csv', '/v1/audit/verify'];

describe('audit routes: who may read', () => {
  it('answer 403 to patients and clinicians on every route, and 401 without a token', async () => {
    for (const url of routes) {
      for (const role of ['patient', 'clinician'] as const) {
        const res = await app.inject({ url, headers: bearer(role) });
        expect(res.statusCode, `${role} ${url}`).toBe(403);
        expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
      }
      expect((await app.inject({ url })).statusCode).toBe(401);
    }
  });

  it('reject bad query parameters with 400', async () => {
    const h = bearer('compliance');
    for (const url of [
      '/v1/audit/events?limit=0',
      '/v1/audit/events?cursor=abc',
      '/v1/audit/events?from=yesterday',
      '/v1/audit/events?foo=1',
      '/v1/audit/export?format=xml',
      '/v1/audit/verify?from=0',
      '/v1/audit/verify?from=5&to=2',
    ]) {
      expect((await app.inject({ url, headers: h })).statusCode, url).toBe(400);
    }
  });
});

describe('audit search', () => {
  it('filters by patient and pages with a cursor, newest first, without overlap', async () => {
    const h = bearer('compliance', compliance);
    const first = await app.inject({
      url: `/v1/audit/events?patientId=${patientId}&action=file.downloaded&limit=3`,
      headers: h,
    });
    expect(first.statusCode, first.body).toBe(200);
    const p1 = first.json() as { items: AuditRecord[]; nextCursor: string | null };
    expect(p1.items.map((r) => r.data.fileId)).toEqual(['fil_4', 'fil_3', 'fil_2']);
    expect(p1.nextCursor).toBe(String(p1.items[2]!.seq));
    const second = (
      await app.inject({
        url: `/v1/audit/events?patientId=${patientId}&action=file.downloaded&limit=3&cursor=${p1.nextCursor}`,
        headers: h,
      })
    ).json();
    expect(second.items.map((r: AuditRecord) => r.data.fileId)).toEqual(['fil_1', 'fil_0']);
    expect(second.nextCursor).toBeNull();
  });

  it('filters by actor, resource and time, answering who, what, when, where, outcome and request id', async () => {
    const h = bearer('admin');
    const res = (
      await app.inject({ url: `/v1/audit/events?actorId=${clinicianId}&resourceId=fil_0`, headers: h })
    ).json();
    expect(res.items.map((r: AuditRecord) => r.action)).toEqual(['access.denied', 'file.downloaded']);
    expect(res.items[0]).toMatchObject({
      actor: { userId: clinicianId, role: 'clinician', ip: '10.1.2.3' },
      outcome: 'denied',
      resource: { type: 'file', id: 'fil_0' },
      patientId,
    });
    expect(res.items[0].requestId).toMatch(/^req-/);
    const none = (
      await app.inject({ url: `/v1/audit/events?actorId=${clinicianId}&to=2000-01-01T00:00:00Z`, headers: h })
    ).json();
    expect(none.items).toEqual([]);
  });

  it('records every read of the audit log as audit.queried with the reader and the filters', async () => {
    const reader = unique('usr');
    const url = `/v1/audit/events?patientId=${patientId}`;
    const headers = {
      ...bearer('compliance', reader),
      'x-forwarded-for': '6.6.6.6',
      'x-request-id': 'req-audit-read-1',
    };
    // The reader's address is the one the gateway asserted; a client's X-Forwarded-For is ignored.
    await app.inject({
      url,
      headers: { ...headers, ...gatewayHeaders('audit', { method: 'GET', url, headers }, { clientIp: '192.0.2.9' }) },
    });
    const rec = await deps.audit.store.records.findOne({ 'actor.userId': reader });
    expect(rec).toMatchObject({
      action: 'audit.queried',
      outcome: 'success',
      requestId: 'req-audit-read-1',
      actor: { role: 'compliance', ip: '192.0.2.9' },
      resource: { type: 'audit_log' },
      data: { operation: 'search', filters: { patientId, limit: '50' } },
    });
  });
});

describe('direct requests', () => {
  it('refuses a compliance token sent straight to the audit port and appends access.denied to the chain', async () => {
    const reader = unique('usr');
    const res = await app.direct({
      url: '/v1/audit/events',
      headers: { ...bearer('compliance', reader), 'x-forwarded-for': '6.6.6.6', 'x-request-id': 'req-audit-direct-1' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.body).not.toContain('"items"');
    const rec = await eventually('the denial in the chain', () =>
      deps.audit.store.records.findOne({ requestId: 'req-audit-direct-1' }).then((r) => r ?? undefined),
    );
    expect(rec).toMatchObject({
      action: 'access.denied',
      outcome: 'denied',
      actor: { userId: reader, role: 'compliance', ip: '127.0.0.1' },
    });
    // Refused before the route: the read itself never happened.
    expect(await deps.audit.store.records.findOne({ 'actor.userId': reader, action: 'audit.queried' })).toBeNull();
  });
});

describe('audit export', () => {
  it('streams JSON lines whose records still verify', async () => {
    const res = await app.inject({
      url: `/v1/audit/export?format=jsonl&actorId=${clinicianId}`,
      headers: bearer('compliance'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-.*\.jsonl"$/);
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditRecord);
    expect(lines).toHaveLength(6);
    for (const r of lines) expect(hashOf(r)).toBe(r.hash);
  });

  it('streams CSV with quoting and formula neutralisation', async () => {
    const res = await app.inject({
      url: `/v1/audit/export?format=csv&actorId=${clinicianId}`,
      headers: bearer('admin'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/filename="audit-.*\.csv"/);
    const rows = res.body.split('\r\n').filter(Boolean);
    expect(rows[0]).toBe(
      'seq,eventId,type,occurredAt,recordedAt,actorUserId,actorRole,actorIp,actorUserAgent,action,resourceType,resourceId,patientId,outcome,requestId,source,data,prevHash,hash',
    );
    expect(rows).toHaveLength(7);
    expect(rows[1]).toContain(',"Agent ""quoted"", with comma",');
    // The data cell: quoted with doubled quotes, not formula-prefixed (its members are stored in
    // sorted order, so `reason` is not first), and the formula inside the JSON stays inert text.
    expect(rows[6]).toContain(',"{""patientId"":');
    expect(rows[6]).toContain('""reason"":""=HYPERLINK(\\""x\\"")""');
  });
});

describe('audit verify route', () => {
  it('reports the whole chain valid with the number of records checked', async () => {
    const res = await app.inject({ url: '/v1/audit/verify', headers: bearer('compliance') });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ ok: true, from: 1 });
    expect(body.checked).toBe(body.lastSeq);
    expect(body.checked).toBeGreaterThanOrEqual(8);
  });

  it('verifies a range anchored on the record before it', async () => {
    const res = await app.inject({ url: '/v1/audit/verify?from=3&to=6', headers: bearer('compliance') });
    expect(res.json()).toMatchObject({ ok: true, checked: 4, from: 3, lastSeq: 6 });
  });
});
