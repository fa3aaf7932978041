import { newId } from '@medvault/common/ids';
import { unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, care, type Instance, instance, open, scratch, seedUser, send } from './helpers.js';

let chat: Instance;
let patient: { id: string; role: 'patient' };
let doctor: { id: string; role: 'clinician' };
let stranger: { id: string; role: 'clinician' };

beforeAll(async () => {
  chat = await instance(scratch(), unique('chat-care'));
  patient = { id: await seedUser(chat, 'patient'), role: 'patient' };
  doctor = { id: await seedUser(chat, 'clinician'), role: 'clinician' };
  stranger = { id: await seedUser(chat, 'clinician'), role: 'clinician' };
  await care(chat, doctor.id, patient.id);
});

afterAll(async () => {
  await chat.deps.mongo
    .db(chat.deps.config.MONGO_DB)
    .dropDatabase()
    .catch(() => undefined);
  await chat.close();
});

describe('care rules', () => {
  it('lets a patient open a conversation with a clinician who has them in care', async () => {
    const r = await open(chat, patient, [doctor.id]);
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ participantIds: [patient.id, doctor.id], patientId: patient.id });
  });

  it('refuses a patient a conversation with a clinician who does not have them in care', async () => {
    const r = await open(chat, patient, [stranger.id]);
    expect(r.statusCode).toBe(403);
    expect(r.json().code).toBe('FORBIDDEN');
  });

  it('refuses a clinician a conversation with a patient not in their care, and unknown users alike', async () => {
    expect((await open(chat, stranger, [patient.id])).statusCode).toBe(403);
    expect((await open(chat, doctor, [newId('user')])).statusCode).toBe(403);
  });

  it('refuses a conversation with two patients, and admins or compliance opening one', async () => {
    const other = await seedUser(chat, 'patient');
    await care(chat, doctor.id, other);
    expect((await open(chat, doctor, [patient.id, other])).statusCode).toBe(403);
    const admin = await seedUser(chat, 'admin');
    expect((await open(chat, { id: admin, role: 'admin' }, [doctor.id])).statusCode).toBe(403);
  });

  it('lets clinicians converse among themselves without any patient', async () => {
    expect((await open(chat, doctor, [stranger.id])).statusCode).toBe(201);
  });

  it('gives an outsider, an admin and compliance 404 on every route of a conversation', async () => {
    const c = (await open(chat, patient, [doctor.id])).json();
    const m = (await send(chat, doctor, c.id, 'Your results are in')).json();
    const outsiders = [
      stranger,
      { id: await seedUser(chat, 'admin'), role: 'admin' as const },
      { id: await seedUser(chat, 'compliance'), role: 'compliance' as const },
      { id: await seedUser(chat, 'patient'), role: 'patient' as const },
    ];
    for (const o of outsiders) {
      const h = bearer(o.id, o.role);
      const routes = [
        { method: 'GET' as const, url: `/v1/conversations/${c.id}/messages` },
        { method: 'POST' as const, url: `/v1/conversations/${c.id}/messages`, payload: { text: 'hello' } },
        { method: 'PATCH' as const, url: `/v1/conversations/${c.id}/messages/${m.id}`, payload: { text: 'x' } },
        { method: 'DELETE' as const, url: `/v1/conversations/${c.id}/messages/${m.id}` },
        { method: 'POST' as const, url: `/v1/conversations/${c.id}/read`, payload: { upTo: m.id } },
      ];
      for (const r of routes) {
        const res = await chat.app.inject({ ...r, headers: h });
        expect(res.statusCode, `${o.role} ${r.method} ${r.url}`).toBe(404);
      }
      const list = await chat.app.inject({ method: 'GET', url: '/v1/conversations', headers: h });
      expect(list.json().items.map((x: { id: string }) => x.id)).not.toContain(c.id);
    }
  });

  it('closes a patient conversation to new messages when care ends, and keeps its history readable', async () => {
    const p = { id: await seedUser(chat, 'patient'), role: 'patient' as const };
    await care(chat, doctor.id, p.id);
    const c = (await open(chat, p, [doctor.id])).json();
    expect((await send(chat, p, c.id, 'Thank you doctor')).statusCode).toBe(201);
    await care(chat, doctor.id, p.id, false);
    const refused = await send(chat, doctor, c.id, 'One more thing');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().details?.reason ?? refused.json().reason).toBe('care_ended');
    const history = await chat.app.inject({
      method: 'GET',
      url: `/v1/conversations/${c.id}/messages`,
      headers: bearer(p.id, 'patient'),
    });
    expect(history.json().items.map((m: { text: string }) => m.text)).toEqual(['Thank you doctor']);
  });

  it('answers 401 to a caller without a token', async () => {
    const r = await chat.app.inject({ method: 'GET', url: '/v1/conversations' });
    expect(r.statusCode).toBe(401);
  });
});
