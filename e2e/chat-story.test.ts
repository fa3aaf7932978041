import { beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  call,
  createUser,
  GATEWAY,
  type TestUser,
  untilSettled,
  upload,
  waitForNotification,
  waitForStatus,
  weekdayAhead,
} from './support/client.js';
import { EICAR, makePdf } from './support/fixtures.js';

/**
 * Secure chat through the gateway (issue 16): a patient books with a clinician, they talk with
 * an attachment, live over SSE; abuse is refused, clinical vocabulary is not; outsiders see
 * nothing; the audit log names who and which conversation, never the text.
 */
let admin: string;
let clinician: TestUser;
let outsider: TestUser;
let patient: TestUser;
let otherPatient: TestUser;
let compliance: TestUser;
let conversationId = '';
let reportId = '';

/** Reads server-sent events through the gateway, as a browser's EventSource would. */
async function stream(token: string) {
  const ac = new AbortController();
  const res = await fetch(`${GATEWAY}/v1/conversations/stream`, {
    headers: { authorization: `Bearer ${token}` },
    signal: ac.signal,
  });
  const frames: { event: string; data: any }[] = [];
  void (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += value;
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (ev && data) frames.push({ event: ev, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted
    }
  })();
  const waitFor = async (pred: (f: { event: string; data: any }) => boolean, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = frames.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no matching frame (got ${JSON.stringify(frames).slice(0, 300)})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { status: res.status, waitFor, close: () => ac.abort() };
}

const sendAs = (u: TestUser, text: string, attachmentFileIds?: string[]) =>
  call('POST', `/v1/conversations/${conversationId}/messages`, {
    token: u.token,
    json: { text, ...(attachmentFileIds ? { attachmentFileIds } : {}) },
  });

beforeAll(async () => {
  admin = await adminToken();
  clinician = await createUser(admin, 'clinician', 'Dr Chat');
  outsider = await createUser(admin, 'clinician', 'Dr Elsewhere');
  patient = await createUser(admin, 'patient', 'Pat Chat');
  otherPatient = await createUser(admin, 'patient', 'Pat Other');
  compliance = await createUser(admin, 'compliance', 'Comp Chat');
});

describe('secure chat between a patient and their clinician, through the gateway', () => {
  it('refuses a conversation before the patient is in the clinician’s care', async () => {
    const r = await call('POST', '/v1/conversations', {
      token: patient.token,
      json: { participantIds: [outsider.id] },
    });
    expect(r.status).toBe(403);
  });

  it('lets the patient book with the clinician, then open a conversation with them', async () => {
    const day = weekdayAhead(3);
    const avail = await untilSettled(
      () => call('GET', `/v1/clinicians/${clinician.id}/availability?date=${day}`, { token: patient.token }),
      [404],
    );
    const slot = avail.body.slots[0];
    const booked = await untilSettled(
      () =>
        call('POST', '/v1/appointments', {
          token: patient.token,
          json: { clinicianId: clinician.id, patientId: patient.id, start: slot.start, end: slot.end },
        }),
      [422],
    );
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    // Chat learns the care relationship from care.relationship_started: it settles shortly after booking.
    const opened = await untilSettled(
      () =>
        call('POST', '/v1/conversations', {
          token: patient.token,
          json: { participantIds: [clinician.id], subject: 'Follow-up' },
        }),
      [403],
    );
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    expect(opened.body).toMatchObject({ participantIds: [patient.id, clinician.id], patientId: patient.id });
    conversationId = opened.body.id;
  });

  it('delivers a message with an attachment live to the clinician, who can then read the file', async () => {
    const up = await upload(patient.token, {
      name: 'home-readings.pdf',
      content: makePdf('BP log'),
      type: 'application/pdf',
    });
    expect(up.status).toBe(202);
    reportId = up.body.id;
    await waitForStatus(patient.token, reportId, ['available']);
    const live = await stream(clinician.token);
    expect(live.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));

    const sent = await sendAs(patient, 'Here are my blood pressure readings', [reportId]);
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body).toMatchObject({ text: 'Here are my blood pressure readings', attachmentFileIds: [reportId] });
    const frame = await live.waitFor((f) => f.event === 'message' && f.data.id === sent.body.id);
    expect(frame.data).toMatchObject({ text: 'Here are my blood pressure readings', attachmentFileIds: [reportId] });
    live.close();

    const file = await call('GET', `/v1/files/${reportId}`, { token: clinician.token });
    expect(file.status).toBe(200);
    const reply = await call('POST', `/v1/conversations/${conversationId}/messages`, {
      token: clinician.token,
      json: { text: 'Thanks, they look fine. Keep the same dose.' },
    });
    expect(reply.status).toBe(201);
    const msgs = await call('GET', `/v1/conversations/${conversationId}/messages`, { token: patient.token });
    expect(msgs.body.items.map((m: { text: string }) => m.text)).toEqual([
      'Thanks, they look fine. Keep the same dose.',
      'Here are my blood pressure readings',
    ]);
  });

  it('tells the patient, who has no stream open, through notify without the text', async () => {
    const n = await waitForNotification(patient.token, (x) => x.type === 'chat.message_sent');
    expect(n.refs.conversationId).toBe(conversationId);
    expect(JSON.stringify(n)).not.toContain('dose');
  });

  it('refuses an obfuscated insult with 422 MESSAGE_REJECTED and delivers "The anal fissure is healing"', async () => {
    const insult = await sendAs(patient, 'y0u are a st*pid f u c k i n g b1tch');
    expect(insult.status).toBe(422);
    expect(insult.body.code).toBe('MESSAGE_REJECTED');
    const clinical = await sendAs(clinician, 'The anal fissure is healing');
    expect(clinical.status).toBe(201);
    expect(clinical.body.text).toBe('The anal fissure is healing');
  });

  it('refuses infected files and files of another patient as attachments', async () => {
    const bad = await upload(patient.token, { name: 'scan.txt', content: EICAR, type: 'text/plain' });
    await waitForStatus(patient.token, bad.body.id, ['infected']);
    const infected = await sendAs(patient, 'See attached', [bad.body.id]);
    expect(infected.status).toBe(422);
    expect(infected.body.details?.reason ?? infected.body.reason).toBe('not_available');

    const foreign = await upload(otherPatient.token, {
      name: 'theirs.pdf',
      content: makePdf('not yours'),
      type: 'application/pdf',
    });
    await waitForStatus(otherPatient.token, foreign.body.id, ['available']);
    const notMine = await sendAs(patient, 'Look at this', [foreign.body.id]);
    expect(notMine.status).toBe(422);
  });

  it('gives a colleague read access to an attached file through a share recorded by files', async () => {
    const up = await upload(
      clinician.token,
      { name: 'ecg.pdf', content: makePdf('ECG'), type: 'application/pdf' },
      { patientId: patient.id },
    );
    await waitForStatus(clinician.token, up.body.id, ['available']);
    expect((await call('GET', `/v1/files/${up.body.id}`, { token: outsider.token })).status).toBe(403);
    const team = await untilSettled(
      () => call('POST', '/v1/conversations', { token: clinician.token, json: { participantIds: [outsider.id] } }),
      [403],
    );
    expect(team.status).toBe(201);
    const sent = await call('POST', `/v1/conversations/${team.body.id}/messages`, {
      token: clinician.token,
      json: { text: 'Second opinion on this ECG?', attachmentFileIds: [up.body.id] },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect((await call('GET', `/v1/files/${up.body.id}`, { token: outsider.token })).status).toBe(200);
    const audit = await untilSettled(async () => {
      const res = await call('GET', `/v1/audit/events?resourceId=${up.body.id}&action=file.shared&limit=10`, {
        token: compliance.token,
      });
      return res.body.items?.length ? res : { ...res, status: 599 };
    }, [599]);
    expect(audit.body.items[0]).toMatchObject({ actor: { userId: clinician.id } });
  });

  it('answers an outsider 404 on the conversation and keeps it out of their list', async () => {
    const r = await call('GET', `/v1/conversations/${conversationId}/messages`, { token: outsider.token });
    expect(r.status).toBe(404);
    const asAdmin = await call('GET', `/v1/conversations/${conversationId}/messages`, { token: admin });
    expect(asAdmin.status).toBe(404);
    const list = await call('GET', '/v1/conversations', { token: outsider.token });
    expect(list.body.items.map((c: { id: string }) => c.id)).not.toContain(conversationId);
  });

  it('audits the conversation by ids: who, when and which conversation, never the text', async () => {
    const find = () =>
      call('GET', `/v1/audit/events?resourceId=${conversationId}&limit=100`, { token: compliance.token });
    const r = await untilSettled(async () => {
      const res = await find();
      const actions = (res.body.items ?? []).map((x: { action: string }) => x.action);
      const done = ['chat.conversation_created', 'chat.message_sent', 'chat.message_rejected'].every((a) =>
        actions.includes(a),
      );
      return done ? res : { ...res, status: 599 };
    }, [599]);
    expect(r.status).toBe(200);
    const text = JSON.stringify(r.body);
    for (const word of ['blood pressure', 'fissure', 'b1tch', 'dose', 'Follow-up']) expect(text).not.toContain(word);
    const sent = r.body.items.find((x: { action: string }) => x.action === 'chat.message_sent');
    expect(sent).toMatchObject({ patientId: patient.id, resource: { type: 'conversation', id: conversationId } });
  });
});
