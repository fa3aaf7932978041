import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.js';
import { draftFromEvent, GENESIS_HASH, hashOf, outcomeOf, seal } from './record.js';
import { stripSecrets } from './redact.js';

const event = (type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: 'evt_01JD0000000000000000000001',
  type,
  version: 1,
  occurredAt: '2026-11-22T10:00:00Z',
  correlationId: 'req_1',
  source: 'files',
  actor: { userId: 'usr_1', role: 'patient', ip: '10.0.0.1', userAgent: 'curl/8' },
  data,
  ...extra,
});

describe('canonical serialization', () => {
  it('gives the same bytes whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, 'x'] }, b: 1 }),
    );
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('drops undefined members and rejects non-finite numbers', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
  });
});

describe('secret stripping', () => {
  it('removes tokens, passwords, wrapped keys and emails at any depth but keeps ids', () => {
    const out = stripSecrets({
      fileId: 'fil_1',
      accessToken: 't',
      nested: [{ password: 'p', wrappedKey: 'k', keep: 1 }],
      email: 'a@b.c',
      clientSecret: 's',
      key: 'objects/fil_1',
    });
    expect(out).toEqual({ fileId: 'fil_1', nested: [{ keep: 1 }], key: 'objects/fil_1' });
  });
});

describe('audit record', () => {
  it('answers who, what, when, where, outcome and request id for a download', () => {
    const d = draftFromEvent(event('file.downloaded', { fileId: 'fil_1', ownerId: 'usr_1', bytes: 10 }));
    expect(d).toMatchObject({
      eventId: 'evt_01JD0000000000000000000001',
      action: 'file.downloaded',
      actor: { userId: 'usr_1', role: 'patient', ip: '10.0.0.1', userAgent: 'curl/8' },
      resource: { type: 'file', id: 'fil_1' },
      patientId: 'usr_1',
      outcome: 'success',
      requestId: 'req_1',
      occurredAt: '2026-11-22T10:00:00.000Z',
    });
  });

  it('derives denied and failure outcomes', () => {
    expect(outcomeOf('request.completed', { status: 403 })).toBe('denied');
    expect(outcomeOf('request.completed', { status: 404 })).toBe('failure');
    expect(outcomeOf('request.completed', { status: 502 })).toBe('failure');
    expect(outcomeOf('request.completed', { status: 200 })).toBe('success');
    expect(outcomeOf('access.denied', {})).toBe('denied');
    expect(outcomeOf('auth.login_failed', {})).toBe('denied');
    expect(outcomeOf('file.integrity_failed', {})).toBe('failure');
  });

  it('takes the resource of an access event from its explicit fields', () => {
    const d = draftFromEvent(
      event('request.completed', {
        method: 'GET',
        route: '/v1/files/:id',
        status: 200,
        durationMs: 3,
        resourceType: 'file',
        resourceId: 'fil_9',
        patientId: 'usr_7',
      }),
    );
    expect(d.resource).toEqual({ type: 'file', id: 'fil_9' });
    expect(d.patientId).toBe('usr_7');
  });

  it('hashes everything but the hash, so any edited field changes it', () => {
    const r = seal(
      draftFromEvent(event('file.uploaded', { fileId: 'fil_1' })),
      1,
      GENESIS_HASH,
      new Date('2026-11-22T10:00:01Z'),
    );
    expect(hashOf(r)).toBe(r.hash);
    expect(hashOf({ ...r, outcome: 'denied' })).not.toBe(r.hash);
    expect(hashOf({ ...r, seq: 2 })).not.toBe(r.hash);
    expect(hashOf({ ...r, data: { fileId: 'fil_2' } })).not.toBe(r.hash);
  });
});
