import { beforeAll, describe, expect, it } from 'vitest';
import { adminToken, call, createUser, type TestUser, untilSettled, upload, waitForStatus } from './support/client.js';
import { makePdf } from './support/fixtures.js';

/**
 * Issue 14, findings 2 and 5, through the gateway:
 *  2. a clinician must not get a patient in care (and so their files) by booking them on their own
 *     schedule — care comes from the patient (booking / confirming) or an admin assignment;
 *  5. webhooks must not reach internal addresses (SSRF), and can be deleted.
 */
let admin: string;

beforeAll(async () => {
  admin = await adminToken();
});

/** A free slot of the clinician on the first working day ahead (weekends have none). */
async function freeSlot(token: string, clinicianId: string, daysAhead = 1) {
  for (let d = daysAhead; d < daysAhead + 14; d++) {
    const day = new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
    const r = await untilSettled(
      () => call('GET', `/v1/clinicians/${clinicianId}/availability?date=${day}`, { token }),
      [404],
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    if (r.body.slots.length > 0) return r.body.slots[0] as { start: string; end: string };
  }
  throw new Error('no free slot in two weeks');
}

async function book(as: TestUser, clinician: TestUser, patient: TestUser, daysAhead = 1) {
  const slot = await freeSlot(as.token, clinician.id, daysAhead);
  const r = await untilSettled(
    () =>
      call('POST', '/v1/appointments', {
        token: as.token,
        json: { clinicianId: clinician.id, patientId: patient.id, ...slot },
      }),
    [422],
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; confirmed: boolean };
}

async function patientFile(patient: TestUser) {
  const up = await upload(patient.token, { name: 'history.pdf', content: makePdf('history'), type: 'application/pdf' });
  expect(up.status, JSON.stringify(up.body)).toBe(202);
  await waitForStatus(patient.token, up.body.id, ['available']);
  return up.body.id as string;
}

const canRead = async (doc: TestUser, fileId: string) =>
  (await call('GET', `/v1/files/${fileId}`, { token: doc.token })).status === 200;

/** Asserts the clinician stays locked out for a while (the care projection is event-driven). */
async function staysLockedOut(doc: TestUser, fileId: string, patientId: string, ms = 5000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    expect([403, 404]).toContain((await call('GET', `/v1/files/${fileId}`, { token: doc.token })).status);
    await new Promise((r) => setTimeout(r, 500));
  }
  const list = await call('GET', `/v1/files?patientId=${patientId}`, { token: doc.token });
  expect((list.body?.items ?? []).map((f: { id: string }) => f.id)).not.toContain(fileId);
}

describe('care relationship (issue 14 #2)', () => {
  it('gives a clinician no access to the files of a patient they booked on their own schedule', async () => {
    const patient = await createUser(admin, 'patient', 'Pat Victim');
    const doc = await createUser(admin, 'clinician', 'Dr Self-Booking');
    const fileId = await patientFile(patient);
    const appt = await book(doc, doc, patient);
    await staysLockedOut(doc, fileId, patient.id);
    expect(appt.confirmed).toBe(false);
    const up = await upload(
      doc.token,
      { name: 'x.pdf', content: makePdf('x'), type: 'application/pdf' },
      {
        patientId: patient.id,
      },
    );
    expect(up.status).toBe(403);
  });

  it('grants access once the patient confirms, and takes it back at once when the appointment is cancelled', async () => {
    const patient = await createUser(admin, 'patient', 'Pat Confirming');
    const doc = await createUser(admin, 'clinician', 'Dr Proposing');
    const fileId = await patientFile(patient);
    const appt = await book(doc, doc, patient, 2);
    expect((await call('POST', `/v1/appointments/${appt.id}/confirm`, { token: doc.token })).status).toBe(403);
    const ok = await call('POST', `/v1/appointments/${appt.id}/confirm`, { token: patient.token });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.confirmed).toBe(true);
    const read = await untilSettled(() => call('GET', `/v1/files/${fileId}`, { token: doc.token }), [403, 404]);
    expect(read.status).toBe(200);
    // The clinician cancels: no 24 h of access left behind.
    expect((await call('POST', `/v1/appointments/${appt.id}/cancel`, { token: doc.token })).status).toBe(200);
    const gone = await untilSettled(() => call('GET', `/v1/files/${fileId}`, { token: doc.token }), [200]);
    expect([403, 404]).toContain(gone.status);
  });

  it('grants access when the patient books, and when an admin assigns the clinician', async () => {
    const patient = await createUser(admin, 'patient', 'Pat Booking');
    const doc = await createUser(admin, 'clinician', 'Dr Booked');
    const assigned = await createUser(admin, 'clinician', 'Dr Assigned');
    const fileId = await patientFile(patient);
    const appt = await book(patient, doc, patient, 3);
    expect(appt.confirmed).toBe(true);
    expect(
      (await untilSettled(() => call('GET', `/v1/files/${fileId}`, { token: doc.token }), [403, 404])).status,
    ).toBe(200);

    const url = `/v1/clinicians/${assigned.id}/patients/${patient.id}`;
    expect((await call('PUT', url, { token: assigned.token })).status).toBe(403);
    const put = await untilSettled(() => call('PUT', url, { token: admin }), [422]);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(
      await untilSettled(async () => {
        const r = await call('GET', `/v1/files/${fileId}`, { token: assigned.token });
        return r;
      }, [403, 404]).then((r) => r.status),
    ).toBe(200);
    expect((await call('DELETE', url, { token: admin })).status).toBe(204);
    const gone = await untilSettled(() => call('GET', `/v1/files/${fileId}`, { token: assigned.token }), [200]);
    expect([403, 404]).toContain(gone.status);
    expect(await canRead(doc, fileId)).toBe(true); // the patient's own booking still holds
  });
});

describe('webhook SSRF (issue 14 #5)', () => {
  const internal = [
    'http://127.1/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://[::ffff:127.0.0.1]/',
    'http://0.0.0.0/',
    'http://localhost/',
    'https://127.1/',
    'https://2130706433/',
    'https://0x7f000001/',
    'https://0177.0.0.1/',
    'https://[::ffff:127.0.0.1]/',
    'https://0.0.0.0/',
    'https://localhost/',
    'https://169.254.169.254/latest/meta-data/',
    'https://10.0.0.1/',
    'https://172.16.0.1/',
    'https://192.168.0.1/',
    'https://100.64.0.1/',
    'https://[fd00::1]/',
  ];

  it.each(internal)('refuses a webhook to the internal address %s', async (url) => {
    const r = await call('PUT', '/v1/notifications/webhooks', {
      token: admin,
      json: { orgId: 'e2e-ssrf', url },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.errors?.[0]?.field).toBe('url');
  });

  it('deletes a webhook (admin only), and then it is gone', async () => {
    const orgId = `e2e-del-${Date.now()}`;
    const put = await call('PUT', '/v1/notifications/webhooks', {
      token: admin,
      json: { orgId, url: 'https://93.184.215.14/hook' },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const clinician = await createUser(admin, 'clinician', 'Dr Webhook');
    expect((await call('DELETE', `/v1/notifications/webhooks/${orgId}`, { token: clinician.token })).status).toBe(403);
    expect((await call('DELETE', `/v1/notifications/webhooks/${orgId}`, { token: admin })).status).toBe(204);
    const list = await call('GET', '/v1/notifications/webhooks', { token: admin });
    expect(list.body.items.map((h: { orgId: string }) => h.orgId)).not.toContain(orgId);
    expect((await call('DELETE', `/v1/notifications/webhooks/${orgId}`, { token: admin })).status).toBe(404);
  });
});
