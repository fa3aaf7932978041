import { beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  call,
  createUser,
  sha256b64,
  type TestUser,
  untilSettled,
  upload,
  waitForNotification,
  waitForStatus,
  weekdayAhead,
} from './support/client.js';
import { EICAR, makePdf, makePng } from './support/fixtures.js';
import { ageDeletedFile } from './support/ops.js';

/**
 * The stories of the two systems MedVault grew from, lived through the public gateway only:
 * encrypted medical imaging with appointments (MERN + AWS seed) and secure file sharing with
 * malware scanning, hash watermarks, duplicates and 30-day retention (file-sharing seed).
 */
let admin: string;
let clinician: TestUser;
let clinician2: TestUser;
let patient: TestUser;
let compliance: TestUser;
const png = makePng();
const pdf = makePdf();
const ids = { appointment: '', png: '', pdf: '', eicar: '', purged: '' };

beforeAll(async () => {
  admin = await adminToken();
  clinician = await createUser(admin, 'clinician', 'Dr E2E One');
  clinician2 = await createUser(admin, 'clinician', 'Dr E2E Two');
  patient = await createUser(admin, 'patient', 'Pat E2E');
  compliance = await createUser(admin, 'compliance', 'Comp E2E');
});

describe('a clinic day, end to end through the gateway', () => {
  it('lets the patient book a free slot with the clinician, and refuses a double booking', async () => {
    const day = weekdayAhead(2);
    // Appointments learns new users from user.created events: a client sees them shortly after.
    const avail = await untilSettled(
      () => call('GET', `/v1/clinicians/${clinician.id}/availability?date=${day}`, { token: patient.token }),
      [404],
    );
    expect(avail.status, JSON.stringify(avail.body)).toBe(200);
    const slot = avail.body.slots[0];
    expect(slot).toBeDefined();
    const body = { clinicianId: clinician.id, patientId: patient.id, start: slot.start, end: slot.end };
    const booked = await untilSettled(
      () => call('POST', '/v1/appointments', { token: patient.token, json: body }),
      [422],
    );
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    ids.appointment = booked.body.id;
    const again = await call('POST', '/v1/appointments', { token: patient.token, json: body });
    expect(again.status).toBe(409);
  });

  it('lets the clinician upload an image and a PDF for the patient, which become available', async () => {
    // Files learns the care relationship from care.relationship_started: it settles shortly after booking.
    const img = await untilSettled(
      () =>
        upload(clinician.token, { name: 'chest-xray.png', content: png, type: 'image/png' }, { patientId: patient.id }),
      [403],
    );
    expect(img.status, JSON.stringify(img.body)).toBe(202);
    expect(img.body).toMatchObject({ status: 'quarantined', contentType: 'image/png', size: png.length });
    const doc = await upload(
      clinician.token,
      { name: 'report.pdf', content: pdf, type: 'application/pdf' },
      { patientId: patient.id },
    );
    expect(doc.status, JSON.stringify(doc.body)).toBe(202);
    ids.png = img.body.id;
    ids.pdf = doc.body.id;
    await waitForStatus(patient.token, ids.png, ['available']);
    await waitForStatus(patient.token, ids.pdf, ['available']);
  });

  it('answers a re-upload of the same bytes with the existing record', async () => {
    const dup = await upload(clinician.token, { name: 'report-again.pdf', content: pdf }, { patientId: patient.id });
    expect(dup.status).toBe(200);
    expect(dup.body).toMatchObject({ id: ids.pdf, duplicate: true });
  });

  it('serves the patient the PDF byte-exact through a signed link, with a correct Repr-Digest', async () => {
    const link = await call('POST', `/v1/files/${ids.pdf}/links`, {
      token: patient.token,
      json: { ttlSeconds: 300 },
    });
    expect(link.status, JSON.stringify(link.body)).toBe(201);
    const got = await call('GET', link.body.url, { token: patient.token });
    expect(got.status).toBe(200);
    expect(got.raw.equals(pdf)).toBe(true);
    expect(got.headers.get('repr-digest')).toBe(`sha-256=:${sha256b64(pdf)}:`);
  });

  it('serves the image watermarked, with a digest of what was served', async () => {
    const link = await call('POST', `/v1/files/${ids.png}/links`, { token: patient.token, json: {} });
    const got = await call('GET', link.body.url, { token: patient.token });
    expect(got.status).toBe(200);
    expect(got.raw.subarray(0, 8).equals(png.subarray(0, 8))).toBe(true); // still a PNG
    expect(got.raw.equals(png)).toBe(false); // but not the original pixels: watermarked
    expect(got.headers.get('repr-digest')).toBe(`sha-256=:${sha256b64(got.raw)}:`);
  });

  it('keeps another clinician out until the patient shares, and out again once the share expires', async () => {
    expect((await call('GET', `/v1/files/${ids.pdf}`, { token: clinician2.token })).status).toBe(403);
    const expiresAt = new Date(Date.now() + 6000).toISOString();
    const share = await call('POST', `/v1/files/${ids.pdf}/shares`, {
      token: patient.token,
      json: { userId: clinician2.id, expiresAt },
    });
    expect([200, 201]).toContain(share.status);
    expect((await call('GET', `/v1/files/${ids.pdf}`, { token: clinician2.token })).status).toBe(200);
    const link = await call('POST', `/v1/files/${ids.pdf}/links`, { token: clinician2.token, json: {} });
    expect((await call('GET', link.body.url, { token: clinician2.token })).raw.equals(pdf)).toBe(true);
    await new Promise((r) => setTimeout(r, Date.parse(expiresAt) - Date.now() + 500));
    expect((await call('GET', `/v1/files/${ids.pdf}`, { token: clinician2.token })).status).toBe(403);
  });

  it('blocks an EICAR upload for ever and tells the uploader and the admins', async () => {
    const bad = await upload(patient.token, { name: 'invoice.txt', content: EICAR, type: 'text/plain' });
    expect(bad.status, JSON.stringify(bad.body)).toBe(202);
    ids.eicar = bad.body.id;
    await waitForStatus(patient.token, ids.eicar, ['infected']);
    const link = await call('POST', `/v1/files/${ids.eicar}/links`, { token: patient.token, json: {} });
    expect(link.status).toBeGreaterThanOrEqual(400);
    for (const who of [patient.token, admin]) {
      const inbox = await waitForNotification(who, (n) => n.type === 'file.infected' && n.refs?.fileId === ids.eicar);
      expect(JSON.stringify(inbox)).not.toContain('invoice.txt');
    }
  });

  it('restores a deleted file on day 29 and purges it for good on day 31', async () => {
    const a = await upload(patient.token, { name: 'old-scan.pdf', content: makePdf('day 29') });
    const b = await upload(patient.token, { name: 'older-scan.pdf', content: makePdf('day 31') });
    await waitForStatus(patient.token, a.body.id, ['available']);
    await waitForStatus(patient.token, b.body.id, ['available']);
    expect((await call('DELETE', `/v1/files/${a.body.id}`, { token: patient.token })).status).toBeLessThan(300);
    expect((await call('DELETE', `/v1/files/${b.body.id}`, { token: patient.token })).status).toBeLessThan(300);
    await ageDeletedFile(a.body.id, 29);
    await ageDeletedFile(b.body.id, 31); // the purge job (PURGE_INTERVAL_SECONDS) takes it from here
    expect((await call('POST', `/v1/files/${a.body.id}/restore`, { token: patient.token })).status).toBe(200);
    await waitForStatus(patient.token, a.body.id, ['available']);
    // Purged for good: the record is gone from the API (404) and cannot be restored (410).
    const gone = await untilSettled(
      () => call('GET', `/v1/files/${b.body.id}`, { token: patient.token }),
      [200],
      60_000,
    );
    expect(gone.status).toBe(404);
    expect((await call('POST', `/v1/files/${b.body.id}/restore`, { token: patient.token })).status).toBe(410);
    ids.purged = b.body.id;
  });

  it('lets the compliance officer find every action in the audit log, export it and verify the chain', async () => {
    const find = async (q: string) => {
      const r = await call('GET', `/v1/audit/events?${q}`, { token: compliance.token });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.items as { action: string; resource?: { id?: string } }[];
    };
    const deadline = Date.now() + 30_000;
    const wanted = [
      'file.uploaded',
      'file.available',
      'file.downloaded',
      'file.shared',
      'file.infected',
      'file.deleted',
      'file.restored',
      'file.purged',
      'appointment.booked',
    ];
    let actions = new Set<string>();
    while (Date.now() < deadline) {
      actions = new Set((await find(`patientId=${patient.id}&limit=500`)).map((i) => i.action));
      if (wanted.every((w) => actions.has(w))) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect([...actions]).toEqual(expect.arrayContaining(wanted));
    const exported = await call('GET', '/v1/audit/export?format=jsonl', { token: compliance.token });
    expect(exported.status).toBe(200);
    const lines = exported.raw.toString('utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(wanted.length);
    expect(() => lines.map((l) => JSON.parse(l))).not.toThrow();
    const verify = await call('GET', '/v1/audit/verify', { token: compliance.token });
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ ok: true });
    expect(verify.body.checked).toBeGreaterThan(0);
  });
});
