import type { AddressInfo } from 'node:net';
import { newId } from '@medvault/common/ids';
import { unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryDoc } from '../src/adapters/mongo.js';
import { bearer, event, type Instance, instance, scratch, seedUser, smtpSink, sseClient } from './helpers.js';

const db = scratch();
const channel = unique('notify-live-test');
let smtp: Awaited<ReturnType<typeof smtpSink>>;
let a: Instance;
let b: Instance;
let baseUrl: string;
const streams: { close: () => void }[] = [];

beforeAll(async () => {
  smtp = await smtpSink();
  a = await instance(db, channel, { SMTP_PORT: String(smtp.port) });
  b = await instance(db, channel, { SMTP_PORT: String(smtp.port) });
  await a.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(a.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of streams) s.close();
  await a.app.close();
  await b.app.close();
  await a.deps.db.dropDatabase().catch(() => undefined);
  await Promise.all([a.deps.close(), b.deps.close(), smtp.close()]);
});

async function stream(
  userId: string,
  role: 'patient' | 'clinician' | 'admin' | 'compliance',
  extra: Record<string, string> = {},
) {
  const s = await sseClient(`${baseUrl}/v1/notifications/stream`, { ...bearer(userId, role), ...extra });
  streams.push(s);
  return s;
}
const inbox = async (
  inst: Instance,
  userId: string,
  role: 'patient' | 'clinician' | 'admin' | 'compliance' = 'patient',
) =>
  (await inst.app.inject({ url: '/v1/notifications', headers: bearer(userId, role) })).json().items as {
    id: string;
    type: string;
    title: string;
    body: string;
    refs: Record<string, string>;
  }[];
const mailsTo = (address: string) => smtp.mails.filter((m) => m.to.includes(address));

describe('appointment notifications', () => {
  it('gives clinician and patient exactly one inbox entry and one email each, live on another instance', async () => {
    const cMail = `${unique('clin')}@example.test`;
    const pMail = `${unique('pat')}@example.test`;
    const clinician = await seedUser(a, 'clinician', cMail);
    const patient = await seedUser(a, 'patient', pMail);
    const cStream = await stream(clinician, 'clinician');
    const pStream = await stream(patient, 'patient');
    expect(cStream.status).toBe(200);
    const appointmentId = newId('appointment');
    const booked = event('appointment.booked', {
      appointmentId,
      clinicianId: clinician,
      patientId: patient,
      start: '2031-03-03T10:00:00.000Z',
      end: '2031-03-03T10:30:00.000Z',
    });

    // Created on instance B, streamed by instance A: the fan-out goes through Redis pub/sub.
    await b.handle(booked);
    const live = await cStream.next((e) => JSON.parse(e.data!).refs.appointmentId === appointmentId, 10_000);
    await pStream.next((e) => JSON.parse(e.data!).refs.appointmentId === appointmentId, 10_000);
    expect(live.event).toBe('notification');
    expect(JSON.parse(live.data!)).toMatchObject({ type: 'appointment.booked', title: 'An appointment was booked' });

    await b.handle(booked); // redelivery
    await a.handle(booked); // ... even on another instance
    for (const [user, role] of [
      [clinician, 'clinician'],
      [patient, 'patient'],
    ] as const) {
      const items = (await inbox(a, user, role)).filter((n) => n.refs.appointmentId === appointmentId);
      expect(items).toHaveLength(1);
    }
    expect(mailsTo(cMail)).toHaveLength(1);
    expect(mailsTo(pMail)).toHaveLength(1);
    expect(mailsTo(pMail)[0]!.raw).toMatch(/Subject: MedVault: An appointment was booked/);
    expect(mailsTo(pMail)[0]!.raw).toContain(appointmentId);
    expect(cStream.events.filter((e) => JSON.parse(e.data!).refs.appointmentId === appointmentId)).toHaveLength(1);
  });

  it('replays missed notifications to a stream resuming with Last-Event-ID', async () => {
    const patient = await seedUser(a, 'patient');
    const clinician = await seedUser(a, 'clinician');
    const mk = () =>
      event('appointment.cancelled', {
        appointmentId: newId('appointment'),
        clinicianId: clinician,
        patientId: patient,
        start: '2031-03-03T10:00:00.000Z',
        end: '2031-03-03T10:30:00.000Z',
      });
    await b.handle(mk());
    const [first] = await inbox(a, patient);
    await b.handle(mk());
    await b.handle(mk());
    const s = await stream(patient, 'patient', { 'last-event-id': first!.id });
    await s.next(() => s.events.length >= 2, 10_000);
    const ids = s.events.map((e) => e.id);
    const all = (await inbox(a, patient)).map((n) => n.id).sort();
    expect(ids).toEqual(all.slice(1));
    const bad = await a.app.inject({
      url: '/v1/notifications/stream',
      headers: { ...bearer(patient, 'patient'), 'last-event-id': 'nope' },
    });
    expect(bad.statusCode).toBe(400);
  });
});

describe('email deliveries', () => {
  const booked = (clinicianId: string, patientId: string) =>
    event('appointment.booked', {
      appointmentId: newId('appointment'),
      clinicianId,
      patientId,
      start: '2031-03-04T10:00:00.000Z',
      end: '2031-03-04T10:30:00.000Z',
    });
  const deliveries = () => a.deps.db.collection<DeliveryDoc>('deliveries');

  it('records an email delivery under its (event, recipient) key as id and finishes it by that id', async () => {
    const pMail = `${unique('keyed')}@example.test`;
    const patient = await seedUser(a, 'patient', pMail);
    const e = booked(await seedUser(a, 'clinician'), patient);
    await a.handle(e);
    expect(await deliveries().findOne({ _id: `email:${e.id}:${patient}` })).toMatchObject({ status: 'sent' });
    expect(mailsTo(pMail)).toHaveLength(1);
  });

  it('finishes a pending email delivery opened before ids were keyed, and sends it once', async () => {
    const pMail = `${unique('legacy')}@example.test`;
    const patient = await seedUser(a, 'patient', pMail);
    const e = booked(await seedUser(a, 'clinician'), patient);
    const now = new Date();
    const legacyId = newId('notification');
    await deliveries().insertOne({
      _id: legacyId,
      eventId: e.id,
      recipientId: patient,
      channel: 'email',
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
    });
    await a.handle(e);
    await a.handle(e); // redelivery: sent already
    expect(await deliveries().findOne({ _id: legacyId })).toMatchObject({ status: 'sent' });
    expect(await deliveries().countDocuments({ _id: `email:${e.id}:${patient}` })).toBe(0);
    expect(mailsTo(pMail)).toHaveLength(1);
  });
});

describe('security notifications', () => {
  it('notifies the uploader and all admins of an infected file, once, without the file name or signature', async () => {
    const uploader = await seedUser(a, 'patient', `${unique('up')}@example.test`);
    const admins = [await seedUser(a, 'admin', `${unique('adm')}@example.test`), await seedUser(a, 'admin')];
    const fileId = newId('file');
    const infected = event('file.infected', {
      fileId,
      ownerId: uploader,
      uploadedBy: uploader,
      signatures: ['Eicar-Test-Signature'],
    });
    await a.handle(infected);
    await b.handle(infected);
    for (const [u, role] of [
      [uploader, 'patient'],
      [admins[0]!, 'admin'],
      [admins[1]!, 'admin'],
    ] as const) {
      const items = (await inbox(a, u, role)).filter((n) => n.refs.fileId === fileId);
      expect(items).toHaveLength(1);
      expect(JSON.stringify(items)).not.toContain('Eicar');
    }
    const mails = smtp.mails.filter((m) => m.raw.includes(fileId));
    expect(mails).toHaveLength(2); // the second admin has no email address
    for (const m of mails) {
      expect(m.raw).toMatch(/Subject: MedVault: A file was blocked by the malware scanner/);
      expect(m.raw).not.toContain('Eicar');
    }
  });

  it('notifies compliance of an emergency grant without the reason text', async () => {
    const officer = await seedUser(a, 'compliance', `${unique('cmp')}@example.test`);
    const grantId = newId('grant');
    await a.handle(
      event('access.emergency_granted', {
        grantId,
        patientId: newId('user'),
        reason: 'unconscious patient in ER, allergies',
        expiresAt: '2031-01-01T00:00:00.000Z',
      }),
    );
    const items = (await inbox(a, officer, 'compliance')).filter((n) => n.refs.grantId === grantId);
    expect(items).toHaveLength(1);
    expect(JSON.stringify(items)).not.toContain('unconscious');
    expect(smtp.mails.filter((m) => m.raw.includes(grantId) && !m.raw.includes('unconscious'))).toHaveLength(1);
  });
});

describe('inbox and preferences', () => {
  it("marks a notification read, hides others' notifications, and pages with a cursor", async () => {
    const p = await seedUser(a, 'patient');
    const other = await seedUser(a, 'patient');
    for (let i = 0; i < 3; i++) await a.handle(event('file.available', { fileId: newId('file'), ownerId: p }));
    const page1 = (await a.app.inject({ url: '/v1/notifications?limit=2', headers: bearer(p, 'patient') })).json();
    expect(page1.items).toHaveLength(2);
    const page2 = (
      await a.app.inject({ url: `/v1/notifications?limit=2&cursor=${page1.nextCursor}`, headers: bearer(p, 'patient') })
    ).json();
    expect(page2.items).toHaveLength(1);
    expect(page2.nextCursor).toBeNull();
    const id = page1.items[0].id;
    expect(
      (await a.app.inject({ method: 'POST', url: `/v1/notifications/${id}/read`, headers: bearer(other, 'patient') }))
        .statusCode,
    ).toBe(404);
    const read = await a.app.inject({
      method: 'POST',
      url: `/v1/notifications/${id}/read`,
      headers: bearer(p, 'patient'),
    });
    expect(read.json().readAt).not.toBeNull();
    const unread = (await a.app.inject({ url: '/v1/notifications?unread=true', headers: bearer(p, 'patient') })).json();
    expect(unread.items.map((n: { id: string }) => n.id)).not.toContain(id);
    expect((await a.app.inject({ url: '/v1/notifications' })).statusCode).toBe(401);
  });

  it("respects a user's preference to get no email for one event type", async () => {
    const mail = `${unique('pref')}@example.test`;
    const p = await seedUser(a, 'patient', mail);
    const put = await a.app.inject({
      method: 'PUT',
      url: '/v1/notifications/preferences',
      headers: bearer(p, 'patient'),
      payload: {
        channels: { inbox: true, email: true },
        overrides: [{ eventType: 'file.available', channel: 'email', enabled: false }],
      },
    });
    expect(put.statusCode, put.body).toBe(200);
    const got = await a.app.inject({ url: '/v1/notifications/preferences', headers: bearer(p, 'patient') });
    expect(got.json().overrides).toHaveLength(1);
    await a.handle(event('file.available', { fileId: newId('file'), ownerId: p }));
    await a.handle(event('file.shared', { fileId: newId('file'), ownerId: newId('user'), sharedWith: p }));
    expect((await inbox(a, p)).map((n) => n.type).sort()).toEqual(['file.available', 'file.shared']);
    expect(mailsTo(mail).map((m) => /Subject: (.*)/.exec(m.raw)?.[1])).toEqual([
      'MedVault: A file was shared with you',
    ]);
  });
});
