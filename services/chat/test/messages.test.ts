import { unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, care, type Instance, instance, open, scratch, seedUser, send } from './helpers.js';

let chat: Instance;
let patient: { id: string; role: 'patient' };
let doctor: { id: string; role: 'clinician' };
let conversationId: string;

beforeAll(async () => {
  chat = await instance(scratch(), unique('chat-messages'), {
    CHAT_EDIT_WINDOW_SECONDS: '2',
    CHAT_MAX_TEXT_LENGTH: '200',
    CHAT_RATE_LIMIT_MESSAGES: '12',
  });
  patient = { id: await seedUser(chat, 'patient'), role: 'patient' };
  doctor = { id: await seedUser(chat, 'clinician'), role: 'clinician' };
  await care(chat, doctor.id, patient.id);
  conversationId = (await open(chat, patient, [doctor.id])).json().id;
});

afterAll(async () => {
  await chat.deps.mongo
    .db(chat.deps.config.MONGO_DB)
    .dropDatabase()
    .catch(() => undefined);
  await chat.close();
});

const list = (who: { id: string; role: 'patient' | 'clinician' }, query = '') =>
  chat.app.inject({
    method: 'GET',
    url: `/v1/conversations/${conversationId}/messages${query}`,
    headers: bearer(who.id, who.role),
  });

describe('messages', () => {
  it('stores the text sealed: neither the database nor its base64 holds it', async () => {
    const text = 'Biopsy shows benign nevus, no further action';
    const m = (await send(chat, doctor, conversationId, text)).json();
    expect(m.text).toBe(text);
    const raw = await chat.deps.mongo
      .db(chat.deps.config.MONGO_DB)
      .collection<{ _id: string; body?: string }>('messages')
      .findOne({ _id: m.id });
    const dump = JSON.stringify(raw);
    expect(dump).not.toContain('Biopsy');
    expect(Buffer.from(String(raw?.body), 'base64').toString('latin1')).not.toContain('Biopsy');
    const conv = await chat.deps.mongo
      .db(chat.deps.config.MONGO_DB)
      .collection<{ _id: string; wrappedKey?: unknown }>('conversations')
      .findOne({ _id: conversationId });
    expect(typeof conv?.wrappedKey).toBe('string'); // the KMS-wrapped data key, never the key itself
  });

  it('refuses text over the configured limit with 400, storing nothing', async () => {
    const before = (await list(patient)).json().items.length;
    const r = await send(chat, patient, conversationId, 'x'.repeat(201));
    expect(r.statusCode).toBe(400);
    expect((await list(patient)).json().items.length).toBe(before);
  });

  it('pages newest first with a cursor, counts unread and moves the read receipt forward only', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await send(chat, doctor, conversationId, `Note ${i}`)).json().id);
    const first = (await list(patient, '?limit=2')).json();
    expect(first.items.map((m: { text: string }) => m.text)).toEqual(['Note 4', 'Note 3']);
    const second = (await list(patient, `?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((m: { text: string }) => m.text)).toEqual(['Note 2', 'Note 1']);

    const unread = async () =>
      (await chat.app.inject({ method: 'GET', url: '/v1/conversations', headers: bearer(patient.id, 'patient') }))
        .json()
        .items.find((c: { id: string }) => c.id === conversationId);
    expect((await unread()).unreadCount).toBeGreaterThanOrEqual(5);
    const read = (upTo: string) =>
      chat.app.inject({
        method: 'POST',
        url: `/v1/conversations/${conversationId}/read`,
        headers: bearer(patient.id, 'patient'),
        payload: { upTo },
      });
    expect((await read(ids[2]!)).json()).toMatchObject({ upTo: ids[2], unreadCount: 2 });
    expect((await read(ids[0]!)).json()).toMatchObject({ upTo: ids[2], unreadCount: 2 }); // a stale receipt
    const c = await unread();
    expect(c.unreadCount).toBe(2);
    expect(c.readUpTo[patient.id]).toBe(ids[2]);
  });

  it('lets the sender edit and delete within the window, nobody else, and nobody after it', async () => {
    const m = (await send(chat, doctor, conversationId, 'Take 2 tablets')).json();
    const edit = (who: typeof doctor | typeof patient, id: string, text: string) =>
      chat.app.inject({
        method: 'PATCH',
        url: `/v1/conversations/${conversationId}/messages/${id}`,
        headers: bearer(who.id, who.role),
        payload: { text },
      });
    const r = await edit(doctor, m.id, 'Take 1 tablet');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ text: 'Take 1 tablet', editedAt: expect.any(String) });
    expect((await edit(patient, m.id, 'Take 10 tablets')).statusCode).toBe(403);

    const gone = (await send(chat, doctor, conversationId, 'Wrong patient, sorry')).json();
    const del = await chat.app.inject({
      method: 'DELETE',
      url: `/v1/conversations/${conversationId}/messages/${gone.id}`,
      headers: bearer(doctor.id, 'clinician'),
    });
    expect(del.statusCode).toBe(204);
    const shown = (await list(patient)).json().items.find((x: { id: string }) => x.id === gone.id);
    expect(shown).toMatchObject({ text: null, deletedAt: expect.any(String) });

    await new Promise((res) => setTimeout(res, 2100));
    const late = await edit(doctor, m.id, 'Take 3 tablets');
    expect(late.statusCode).toBe(403);
  });

  it('refuses a muted user until an admin unmutes them, every action by an admin only', async () => {
    const admin = await seedUser(chat, 'admin');
    const mute = (who: string, role: 'admin' | 'clinician') =>
      chat.app.inject({
        method: 'PUT',
        url: `/v1/moderation/mutes/${patient.id}`,
        headers: bearer(who, role),
        payload: { minutes: 10 },
      });
    expect((await mute(doctor.id, 'clinician')).statusCode).toBe(403);
    expect((await mute(admin, 'admin')).statusCode).toBe(200);
    const refused = await send(chat, patient, conversationId, 'Hello?');
    expect(refused.statusCode).toBe(403);
    expect(JSON.stringify(refused.json())).toContain('muted');
    const unmute = await chat.app.inject({
      method: 'DELETE',
      url: `/v1/moderation/mutes/${patient.id}`,
      headers: bearer(admin, 'admin'),
    });
    expect(unmute.statusCode).toBe(204);
    expect((await send(chat, patient, conversationId, 'Hello again')).statusCode).toBe(201);
  });

  it('limits the messages one user sends per window with 429', async () => {
    const other = { id: await seedUser(chat, 'clinician'), role: 'clinician' as const };
    const c = (await open(chat, doctor, [other.id])).json();
    const codes: number[] = [];
    for (let i = 0; i < 14; i++) codes.push((await send(chat, other, c.id, `ping ${i}`)).statusCode);
    expect(codes.slice(0, 12).every((s) => s === 201)).toBe(true);
    expect(codes.slice(12)).toEqual([429, 429]);
  });
});
