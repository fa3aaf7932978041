import type { AddressInfo } from 'node:net';
import { type BusTap, openBusTap, sleep, unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, care, type Instance, instance, open, scratch, seedUser, send, sseClient } from './helpers.js';

// Two chat instances on one database and one live channel, as two replicas behind the gateway.
let a: Instance;
let b: Instance;
let tap: BusTap;
let streamOnB: string;

beforeAll(async () => {
  const db = scratch();
  const channel = unique('chat-live');
  tap = await openBusTap(['chat.message_sent']);
  a = await instance(db, channel);
  b = await instance(db, channel, { SSE_HEARTBEAT_SECONDS: '1', SSE_REPLAY_LIMIT: '3' });
  await b.app.listen({ host: '127.0.0.1', port: 0 });
  streamOnB = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}/v1/conversations/stream`;
});

afterAll(async () => {
  await a.deps.mongo
    .db(a.deps.config.MONGO_DB)
    .dropDatabase()
    .catch(() => undefined);
  await a.close();
  await b.close();
  await tap.close();
});

/** A stream listens once its headers are sent and its listener registered, moments later. */
const untilListening = () => sleep(500);

describe('live delivery', () => {
  it('delivers a message sent on one instance to a stream on the other, text included', async () => {
    const patient = { id: await seedUser(a, 'patient'), role: 'patient' as const };
    const doctor = { id: await seedUser(a, 'clinician'), role: 'clinician' as const };
    await care(a, doctor.id, patient.id);
    const c = (await open(a, doctor, [patient.id])).json();
    const s = await sseClient(streamOnB, bearer(patient.id, 'patient'));
    expect(s.status).toBe(200);
    await untilListening();

    const m = (await send(a, doctor, c.id, 'Your scan is clear')).json();
    const got = await s.next((e) => e.event === 'message' && JSON.parse(e.data!).id === m.id, 10_000);
    expect(JSON.parse(got.data!)).toMatchObject({
      conversationId: c.id,
      senderId: doctor.id,
      text: 'Your scan is clear',
    });

    // Connected (stream open): no notification needed.
    const e = await tap.waitFor('chat.message_sent', (x) => x.data.messageId === m.id);
    expect(e.data.offlineRecipientIds).toEqual([]);

    // The read receipt reaches the sender's stream too.
    const sd = await sseClient(streamOnB, bearer(doctor.id, 'clinician'));
    await untilListening();
    await a.app.inject({
      method: 'POST',
      url: `/v1/conversations/${c.id}/read`,
      headers: bearer(patient.id, 'patient'),
      payload: { upTo: m.id },
    });
    await sd.next((x) => x.event === 'read' && JSON.parse(x.data!).readerId === patient.id, 10_000);
    s.close();
    sd.close();
  });

  it('names a participant without an open stream as offline, for notify to tell them (without the text)', async () => {
    const patient = { id: await seedUser(a, 'patient'), role: 'patient' as const };
    const doctor = { id: await seedUser(a, 'clinician'), role: 'clinician' as const };
    await care(a, doctor.id, patient.id);
    const c = (await open(a, patient, [doctor.id])).json();
    const m = (await send(a, patient, c.id, 'Can I take ibuprofen?')).json();
    const e = await tap.waitFor('chat.message_sent', (x) => x.data.messageId === m.id);
    expect(e.data.offlineRecipientIds).toEqual([doctor.id]);
  });

  it('does not deliver a conversation to a stream of someone outside it', async () => {
    const patient = { id: await seedUser(a, 'patient'), role: 'patient' as const };
    const doctor = { id: await seedUser(a, 'clinician'), role: 'clinician' as const };
    const outsider = await seedUser(a, 'clinician');
    await care(a, doctor.id, patient.id);
    const c = (await open(a, patient, [doctor.id])).json();
    const s = await sseClient(streamOnB, bearer(outsider, 'clinician'));
    await untilListening();
    const m = (await send(a, patient, c.id, 'Private question')).json();
    await expect(s.next((e) => JSON.parse(e.data!).id === m.id, 1000)).rejects.toThrow(/no matching/);
    s.close();
  });

  it('replays the messages a reconnecting stream missed (Last-Event-ID), in order, once, at most SSE_REPLAY_LIMIT', async () => {
    const patient = { id: await seedUser(a, 'patient'), role: 'patient' as const };
    const doctor = { id: await seedUser(a, 'clinician'), role: 'clinician' as const };
    await care(a, doctor.id, patient.id);
    const c = (await open(a, doctor, [patient.id])).json();
    const first = await sseClient(streamOnB, bearer(patient.id, 'patient'));
    await untilListening();
    const seen = (await send(a, doctor, c.id, 'Before the drop')).json();
    const got = await first.next((e) => e.event === 'message' && JSON.parse(e.data!).id === seen.id, 10_000);
    expect(got.id).toBe(seen.id); // message frames carry their id: the client's Last-Event-ID
    first.close();

    // Four messages while the patient is away: the replay limit of instance b is 3.
    const missed: string[] = [];
    for (const text of ['One', 'Two', 'Three', 'Four']) missed.push((await send(a, doctor, c.id, text)).json().id);
    const again = await sseClient(streamOnB, { ...bearer(patient.id, 'patient'), 'last-event-id': got.id! });
    expect(again.status).toBe(200);
    await again.next((e) => JSON.parse(e.data!).id === missed[2], 10_000);
    const live = (await send(a, doctor, c.id, 'Back online')).json();
    await again.next((e) => JSON.parse(e.data!).id === live.id, 10_000);
    const messages = again.events.filter((e) => e.event === 'message').map((e) => JSON.parse(e.data!));
    // The oldest three missed, in order, each once, opened; then the live one. Never the one already seen.
    expect(messages.map((m) => m.id)).toEqual([missed[0], missed[1], missed[2], live.id]);
    expect(messages.map((m) => m.text)).toEqual(['One', 'Two', 'Three', 'Back online']);
    again.close();
  });

  it('refuses a Last-Event-ID that is not a message id (400), opening no stream', async () => {
    const patient = await seedUser(a, 'patient');
    const s = await sseClient(streamOnB, { ...bearer(patient, 'patient'), 'last-event-id': 'not-an-id' });
    expect(s.status).toBe(400);
    s.close();
  });
});
