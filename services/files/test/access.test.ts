import { randomBytes } from 'node:crypto';
import { openBusTap } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  closeAll,
  deliver,
  type Harness,
  harness,
  knownUser,
  makeAvailable,
  multipart,
  scan,
  type User,
  user,
} from './helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(closeAll);

async function uploaded(
  u: User,
  fields: Record<string, string> = {},
  data = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(500)]),
) {
  const m = multipart(data, { filename: 'x.pdf', fields });
  const res = await h.app.inject({
    method: 'POST',
    url: '/v1/files',
    headers: { ...u.auth, ...m.headers },
    payload: m.payload,
  });
  expect(res.statusCode, res.body).toBe(202);
  return res.json() as { id: string; sha256: string };
}
const list = (u: User, query = '') => h.app.inject({ method: 'GET', url: `/v1/files${query}`, headers: u.auth });
const ids = (r: { json: () => { items: { id: string }[] } }) => r.json().items.map((i) => i.id);

describe('who sees and shares what', () => {
  it('lists only the caller’s visible files, with filters and cursor pagination', async () => {
    const p = user('patient');
    const other = user('patient');
    const mine = [await uploaded(p), await uploaded(p), await uploaded(p)];
    await uploaded(other);
    await scan(h, mine[0]!.id, 'infected');
    const all = await list(p);
    expect(all.statusCode).toBe(200);
    expect(ids(all).sort()).toEqual(mine.map((f) => f.id).sort());
    expect(ids(await list(p, '?status=infected'))).toEqual([mine[0]!.id]);
    const page1 = await list(p, '?limit=2');
    expect(page1.json().items).toHaveLength(2);
    const page2 = await list(p, `?limit=2&cursor=${page1.json().nextCursor}`);
    expect([...ids(page1), ...ids(page2)].sort()).toEqual(mine.map((f) => f.id).sort());
    expect(page2.json().nextCursor).toBeNull();
    expect((await list(user('compliance'))).statusCode).toBe(403);
    expect((await list(p, '?status=bogus')).statusCode).toBe(400);
    expect((await list(p, '?extra=1')).statusCode).toBe(400);
    expect(
      (await h.app.inject({ method: 'GET', url: `/v1/files/${mine[1]!.id}`, headers: other.auth })).statusCode,
    ).toBe(403);
    const admin = await list(user('admin'), `?patientId=${p.id}`);
    expect(ids(admin).sort()).toEqual(mine.map((f) => f.id).sort());
  });

  it('checks access to a listed page with one care lookup for the whole page, not one per file', async () => {
    const doc = user('clinician');
    const patients = [user('patient'), user('patient'), user('patient')];
    const files: string[] = [];
    for (const p of patients) {
      await deliver(h, 'care.relationship_started', { clinicianId: doc.id, patientId: p.id }, 'appointments');
      files.push((await uploaded(p)).id, (await uploaded(p)).id);
    }
    const one = vi.spyOn(h.deps.projections, 'inCare');
    const batch = vi.spyOn(h.deps.projections, 'inCareOf');
    const grant = vi.spyOn(h.deps.grants, 'allows');
    const grants = vi.spyOn(h.deps.grants, 'grantedPatients');
    try {
      const res = await list(doc);
      expect(res.statusCode, res.body).toBe(200);
      expect(ids(res).sort()).toEqual([...files].sort());
      expect(batch).toHaveBeenCalledTimes(1);
      expect(one).not.toHaveBeenCalled();
      // Everything was allowed by care: break-glass grants are not even looked up.
      expect(grant).not.toHaveBeenCalled();
      expect(grants).not.toHaveBeenCalled();
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('lets a patient share with a clinician (optionally until a date), emitting file.shared/file.unshared', async () => {
    const tap = await openBusTap(['file.shared', 'file.unshared']);
    try {
      const p = user('patient');
      const doc = await knownUser(h, 'clinician');
      const f = await uploaded(p);
      await makeAvailable(h, f.id, f.sha256);
      expect((await h.app.inject({ method: 'GET', url: `/v1/files/${f.id}`, headers: doc.auth })).statusCode).toBe(403);
      const s = await h.app.inject({
        method: 'POST',
        url: `/v1/files/${f.id}/shares`,
        headers: p.auth,
        payload: { userId: doc.id },
      });
      expect(s.statusCode, s.body).toBe(201);
      expect(ids(await list(doc))).toContain(f.id);
      const l = await h.app.inject({ method: 'POST', url: `/v1/files/${f.id}/links`, headers: doc.auth, payload: {} });
      expect(l.statusCode).toBe(201);
      expect((await h.app.inject({ method: 'GET', url: l.json().url, headers: doc.auth })).statusCode).toBe(200);
      // The doctor may not re-share a patient's file.
      expect(
        (
          await h.app.inject({
            method: 'POST',
            url: `/v1/files/${f.id}/shares`,
            headers: doc.auth,
            payload: { userId: user('clinician').id },
          })
        ).statusCode,
      ).toBe(403);
      const u = await h.app.inject({ method: 'DELETE', url: `/v1/files/${f.id}/shares/${doc.id}`, headers: p.auth });
      expect(u.statusCode).toBe(204);
      expect((await h.app.inject({ method: 'GET', url: l.json().url, headers: doc.auth })).statusCode).toBe(403);
      expect(
        (
          await h.app.inject({
            method: 'POST',
            url: `/v1/files/${f.id}/shares`,
            headers: p.auth,
            payload: { userId: doc.id, expiresAt: '2000-01-01T00:00:00Z' },
          })
        ).statusCode,
      ).toBe(400);
      await h.deps.outbox.flush();
      await tap.waitFor('file.shared', (e) => e.data.fileId === f.id && e.data.sharedWith === doc.id);
      await tap.waitFor('file.unshared', (e) => e.data.fileId === f.id && e.data.userId === doc.id);
    } finally {
      await tap.close();
    }
  });

  it('refuses sharing with a deactivated clinician (422)', async () => {
    const p = user('patient');
    const doc = user('clinician');
    await deliver(h, 'user.created', { userId: doc.id, role: 'clinician' }, 'gateway');
    await deliver(h, 'user.updated', { userId: doc.id, active: false, changes: ['active'] }, 'gateway');
    const f = await uploaded(p);
    expect(
      (
        await h.app.inject({
          method: 'POST',
          url: `/v1/files/${f.id}/shares`,
          headers: p.auth,
          payload: { userId: doc.id },
        })
      ).statusCode,
    ).toBe(422);
  });

  it('handles concurrent deliveries of the same care relationship (upserts race on FerretDB)', async () => {
    const p = user('patient');
    const doc = user('clinician');
    await Promise.all(
      Array.from({ length: 5 }, () =>
        deliver(h, 'care.relationship_started', { clinicianId: doc.id, patientId: p.id }, 'appointments'),
      ),
    );
    expect(await h.deps.projections.inCare(doc.id, p.id)).toBe(true);
  });

  it('ignores a care relationship announced by any service but appointments (the only authority on care)', async () => {
    const p = user('patient');
    const doc = user('clinician');
    const f = await uploaded(p);
    for (const source of ['gateway', 'notify', 'files', 'test'])
      await deliver(h, 'care.relationship_started', { clinicianId: doc.id, patientId: p.id }, source);
    expect(await h.deps.projections.inCare(doc.id, p.id)).toBe(false);
    expect(ids(await list(doc))).not.toContain(f.id);
  });

  it('shows a clinician the files of patients in care until the relationship ends', async () => {
    const p = user('patient');
    const doc = user('clinician');
    const f = await uploaded(p);
    await deliver(h, 'care.relationship_started', { clinicianId: doc.id, patientId: p.id }, 'appointments');
    expect(ids(await list(doc))).toContain(f.id);
    await deliver(h, 'care.relationship_ended', { clinicianId: doc.id, patientId: p.id }, 'appointments');
    expect(ids(await list(doc))).not.toContain(f.id);
  });

  it('lets admins read metadata and rescan in bulk, but never create download links', async () => {
    const admin = user('admin');
    const p = user('patient');
    const f = await uploaded(p);
    await makeAvailable(h, f.id, f.sha256);
    expect((await h.app.inject({ method: 'GET', url: `/v1/files/${f.id}`, headers: admin.auth })).statusCode).toBe(200);
    expect(
      (await h.app.inject({ method: 'POST', url: `/v1/files/${f.id}/links`, headers: admin.auth, payload: {} }))
        .statusCode,
    ).toBe(403);
    expect(
      (await h.app.inject({ method: 'POST', url: '/v1/admin/rescan', headers: p.auth, payload: {} })).statusCode,
    ).toBe(403);
    const tap = await openBusTap(['file.rescan_requested']);
    try {
      const r = await h.app.inject({
        method: 'POST',
        url: '/v1/admin/rescan',
        headers: admin.auth,
        payload: { olderThanDatabaseVersion: '27001' },
      });
      expect(r.statusCode, r.body).toBe(202);
      expect(r.json().requested).toBeGreaterThanOrEqual(1);
      expect(await h.deps.files.get(f.id)).toMatchObject({ status: 'quarantined', generation: 2 });
      await h.deps.outbox.flush();
      const e = await tap.waitFor('file.rescan_requested', (x) => x.data.fileId === f.id);
      expect(e.data).toMatchObject({ bucket: 'medvault-clean', key: `files/${f.id}`, generation: 2 });
      const again = await h.app.inject({
        method: 'POST',
        url: '/v1/admin/rescan',
        headers: admin.auth,
        payload: { olderThanDatabaseVersion: '26000' },
      });
      expect((await h.deps.files.get(f.id))?.generation).toBe(2);
      expect(again.statusCode).toBe(202);
    } finally {
      await tap.close();
    }
  });
});
