import { type BusTap, openBusTap, unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, care, type Instance, instance, open, scratch, seedUser, send } from './helpers.js';

let chat: Instance;
let tap: BusTap;
let patient: { id: string; role: 'patient' };
let doctor: { id: string; role: 'clinician' };
let admin: string;
let conversationId: string;
const db = () => chat.deps.mongo.db(chat.deps.config.MONGO_DB);

beforeAll(async () => {
  tap = await openBusTap(['chat.message_rejected', 'chat.message_flagged', 'chat.message_sent', 'chat.flag_dismissed']);
  chat = await instance(scratch(), unique('chat-moderation'));
  patient = { id: await seedUser(chat, 'patient'), role: 'patient' };
  doctor = { id: await seedUser(chat, 'clinician'), role: 'clinician' };
  admin = await seedUser(chat, 'admin');
  await care(chat, doctor.id, patient.id);
  conversationId = (await open(chat, patient, [doctor.id])).json().id;
});

afterAll(async () => {
  await db()
    .dropDatabase()
    .catch(() => undefined);
  await chat.close();
  await tap.close();
});

describe('moderation', () => {
  it('rejects an obfuscated insult with 422 MESSAGE_REJECTED, stores nothing, and says so on the bus without the text', async () => {
    const insult = 'y0u are a f.u.c.k.i.n.g ιdiot';
    const r = await send(chat, patient, conversationId, insult);
    expect(r.statusCode).toBe(422);
    expect(r.json().code).toBe('MESSAGE_REJECTED');
    expect(await db().collection('messages').countDocuments({ conversationId })).toBe(0);
    const e = await tap.waitFor('chat.message_rejected', (x) => x.data.conversationId === conversationId);
    expect(e.data).toMatchObject({
      senderId: patient.id,
      patientId: patient.id,
      categories: expect.arrayContaining(['profanity']),
    });
    expect(JSON.stringify(e)).not.toMatch(/idiot|f\.u\.c\.k/i);
  });

  it('delivers clinical vocabulary a word filter mistakes for abuse', async () => {
    for (const text of ['The anal fissure is healing', 'We will take a vaginal swab', 'Dr Dick Smith will call you']) {
      expect((await send(chat, doctor, conversationId, text)).statusCode, text).toBe(201);
    }
  });

  it('delivers a borderline message, holds it for review, and lets an admin list and dismiss the flag', async () => {
    const r = await send(chat, patient, conversationId, 'You are useless, the front desk is pathetic');
    expect(r.statusCode).toBe(201);
    const flagged = await tap.waitFor('chat.message_flagged', (x) => x.data.messageId === r.json().id);
    expect(flagged.data.categories).toEqual(['harassment']);

    const asDoctor = await chat.app.inject({
      method: 'GET',
      url: '/v1/moderation/flags',
      headers: bearer(doctor.id, 'clinician'),
    });
    expect(asDoctor.statusCode).toBe(403);
    const flags = await chat.app.inject({
      method: 'GET',
      url: '/v1/moderation/flags',
      headers: bearer(admin, 'admin'),
    });
    const flag = flags.json().items.find((f: { messageId: string }) => f.messageId === r.json().id);
    expect(flag).toMatchObject({ senderId: patient.id, categories: ['harassment'], status: 'open' });
    expect(JSON.stringify(flags.json())).not.toContain('useless');

    const dismissed = await chat.app.inject({
      method: 'POST',
      url: `/v1/moderation/flags/${flag.id}/dismiss`,
      headers: bearer(admin, 'admin'),
    });
    expect(dismissed.json()).toMatchObject({ status: 'dismissed', reviewedBy: admin });
    await tap.waitFor('chat.flag_dismissed', (x) => x.data.flagId === flag.id);
  });

  it('never puts message text in events or log lines', async () => {
    const secret = 'Hepatitis C viral load 1200 IU per mL';
    const m = (await send(chat, doctor, conversationId, secret)).json();
    const sent = await tap.waitFor('chat.message_sent', (x) => x.data.messageId === m.id);
    expect(sent.data).toMatchObject({ conversationId, senderId: doctor.id, recipientIds: [patient.id] });
    const everything = JSON.stringify(await tap.events());
    expect(everything).not.toContain('Hepatitis');
    expect(everything).not.toContain('fissure');
    expect(chat.logs.length).toBeGreaterThan(0);
    const logs = chat.logs.join('');
    expect(logs).toContain(m.id);
    for (const word of ['Hepatitis', 'fissure', 'useless', 'idiot']) expect(logs).not.toContain(word);
  });
});
