// GET /v1/admin/dead-letters and POST /v1/admin/dead-letters/:service/redrive against the real
// SQS of the stack. A throw-away service (its queue and DLQ made here with the provisioner's
// credentials, named like the platform's: medvault-<service>, medvault-<service>-dlq) keeps the
// real services' queues out of it.
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { awsClientConfig } from '@medvault/common/aws';
import { createEvent } from '@medvault/common/events';
import { type BusTap, credentialsFor, eventually, openBusTap } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectProblem, type Harness, harness } from './helpers.js';

const sqs = new SQSClient(
  awsClientConfig({
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
    ...credentialsFor('provisioner'),
  }),
);
const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
/** Two throw-away services with queues, one configured service without any. */
const svc = { happy: `dlqa${tag}`, slow: `dlqb${tag}`, none: `dlqc${tag}` };
const urls: Record<string, { source: string; dlq: string }> = {};

async function makeQueues(service: string) {
  const dlq = (await sqs.send(new CreateQueueCommand({ QueueName: `medvault-${service}-dlq` }))).QueueUrl!;
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] })))
    .Attributes?.QueueArn;
  const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 });
  const source = (
    await sqs.send(new CreateQueueCommand({ QueueName: `medvault-${service}`, Attributes: { RedrivePolicy } }))
  ).QueueUrl!;
  urls[service] = { source, dlq };
}

/** Valid events, as a consumer that kept failing would have left them (never a PHI field). */
async function deadLetters(service: string, n: number) {
  const entries = Array.from({ length: n }, (_, i) => ({
    Id: String(i),
    MessageBody: JSON.stringify(
      createEvent(
        'user.updated',
        { userId: `usr_dlq${i}`, role: 'patient', active: true, changes: ['name'] },
        {
          correlationId: `dlq-test-${tag}`,
          source: 'test',
        },
      ),
    ),
  }));
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: urls[service]!.dlq, Entries: entries }));
}

async function depth(url: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? -1);
}

let h: Harness;
let tap: BusTap;
const list = async (token = h.adminToken) => {
  const r = await h.app.inject({ url: '/v1/admin/dead-letters', headers: bearer(token) });
  expect(r.statusCode, r.body).toBe(200);
  return r.json() as {
    items: {
      service: string;
      exists: boolean;
      waiting: number;
      lastRedrive?: { status: string; running: boolean; moved: number };
    }[];
  };
};
const itemOf = async (service: string) => (await list()).items.find((i) => i.service === service);
const redrive = (service: string, token: string, payload?: object) =>
  h.app.inject({
    method: 'POST',
    url: `/v1/admin/dead-letters/${service}/redrive`,
    headers: bearer(token),
    ...(payload ? { payload } : {}),
  });

beforeAll(async () => {
  await Promise.all([makeQueues(svc.happy), makeQueues(svc.slow)]);
  tap = await openBusTap(['queue.redrive_started']);
  h = await harness({ DEAD_LETTER_SERVICES: Object.values(svc).join(',') });
});

afterAll(async () => {
  await h?.close();
  await tap?.close();
  for (const { source, dlq } of Object.values(urls))
    for (const QueueUrl of [source, dlq]) await sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined);
  sqs.destroy();
});

describe('dead-letter queues for admins', () => {
  it('shows an admin how many letters wait in each service’s dead-letter queue, and a missing queue as missing', async () => {
    await deadLetters(svc.happy, 3);
    const r = await list();
    expect(r.items.map((i) => i.service)).toEqual([svc.happy, svc.slow, svc.none]);
    expect(r.items[0]).toMatchObject({ queue: `medvault-${svc.happy}-dlq`, exists: true, waiting: 3 });
    expect(r.items[2]).toMatchObject({ exists: false, waiting: 0 });
    // Counts only: no message body, event id or type reaches the console.
    expect(JSON.stringify(r)).not.toMatch(/usr_dlq|user\.updated|evt_/);
  });

  it('moves the dead letters back to the service’s queue and records who did it in the audit trail', async () => {
    const admin = await h.user('admin');
    const r = await redrive(svc.happy, admin.accessToken, { rate: 100 });
    expect(r.statusCode, r.body).toBe(202);
    expect(r.json()).toMatchObject({ service: svc.happy, queue: `medvault-${svc.happy}-dlq` });
    expect(r.json().task.toMove).toBe(3);
    await eventually(
      'the dead letters back in the source queue',
      async () => (await depth(urls[svc.happy]!.source)) === 3,
    );
    expect(await depth(urls[svc.happy]!.dlq)).toBe(0);
    const after = await eventually('the redrive listed as completed', async () => {
      const i = await itemOf(svc.happy);
      return i?.lastRedrive?.status === 'COMPLETED' && i;
    });
    expect(after).toMatchObject({ waiting: 0, lastRedrive: { running: false, moved: 3 } });
    const recorded = await tap.waitFor('queue.redrive_started', (e) => e.data.service === svc.happy);
    expect(recorded.actor).toMatchObject({ userId: admin.id, role: 'admin' });
    expect(recorded.data).toEqual({
      service: svc.happy,
      waiting: 3,
      maxPerSecond: 100,
      resourceType: 'dead_letter_queue',
      resourceId: `medvault-${svc.happy}-dlq`,
    });
    await sqs.send(new PurgeQueueCommand({ QueueUrl: urls[svc.happy]!.source }));
  });

  it('refuses a second redrive while the first is still moving letters (409), and takes no body at all', async () => {
    await deadLetters(svc.slow, 4);
    // One letter a second: the move task runs for about four seconds.
    const first = await redrive(svc.slow, h.adminToken, { rate: 1 });
    expect(first.statusCode, first.body).toBe(202);
    const second = await redrive(svc.slow, h.adminToken);
    expect(expectProblem(second, 409).code).toBe('CONFLICT');
    await eventually(
      'the slow redrive finished',
      async () => (await itemOf(svc.slow))?.lastRedrive?.running === false,
      {
        timeoutMs: 20_000,
      },
    );
    const again = await redrive(svc.slow, h.adminToken);
    expect(again.statusCode, again.body).toBe(202);
  });

  it('answers 404 for a service it does not know or whose queue is missing, and 400 for a bad rate', async () => {
    expect(expectProblem(await redrive('nosuchservice', h.adminToken), 404).code).toBe('NOT_FOUND');
    expect(expectProblem(await redrive(svc.none, h.adminToken), 404).code).toBe('NOT_FOUND');
    expect(expectProblem(await redrive(svc.happy, h.adminToken, { rate: 0 }), 400).code).toBe('VALIDATION_FAILED');
    expect(expectProblem(await redrive(svc.happy, h.adminToken, { rate: 501 }), 400).code).toBe('VALIDATION_FAILED');
  });

  it('refuses patients, clinicians and compliance officers (403) and anonymous callers (401)', async () => {
    for (const role of ['patient', 'clinician', 'compliance'] as const) {
      const u = await h.user(role);
      const read = await h.app.inject({ url: '/v1/admin/dead-letters', headers: bearer(u.accessToken) });
      expect(read.statusCode, role).toBe(403);
      expect((await redrive(svc.happy, u.accessToken)).statusCode, role).toBe(403);
    }
    expect((await h.app.inject({ url: '/v1/admin/dead-letters' })).statusCode).toBe(401);
    expect(
      (await h.app.inject({ method: 'POST', url: `/v1/admin/dead-letters/${svc.happy}/redrive` })).statusCode,
    ).toBe(401);
  });

  it('refuses a console redrive that carries the session cookie but no CSRF token', async () => {
    await deadLetters(svc.happy, 1);
    const login = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/session',
      payload: { email: h.adminEmail, password: h.adminPassword },
      remoteAddress: '10.9.8.7',
    });
    expect(login.statusCode, login.body).toBe(200);
    const cookies = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const csrf = login.cookies.find((c) => c.name === 'mv_csrf')?.value ?? '';
    const url = `/v1/admin/dead-letters/${svc.happy}/redrive`;
    const forged = await h.app.inject({ method: 'POST', url, headers: { cookie: cookies } });
    expect(expectProblem(forged, 403).code).toBe('FORBIDDEN');
    expect(await depth(urls[svc.happy]!.dlq)).toBe(1);
    const ok = await h.app.inject({ method: 'POST', url, headers: { cookie: cookies, 'x-csrf-token': csrf } });
    expect(ok.statusCode, ok.body).toBe(202);
  });
});

describe('dead-letter queues while SQS is unreachable', () => {
  it('answers 503 naming SQS, for the list and for a redrive', async () => {
    const down = await harness({ DEAD_LETTER_SERVICES: svc.happy, AWS_ENDPOINT_URL: 'http://127.0.0.1:1' });
    try {
      const r = await down.app.inject({ url: '/v1/admin/dead-letters', headers: bearer(down.adminToken) });
      expect(expectProblem(r, 503)).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', dependency: 'sqs' });
      const p = await down.app.inject({
        method: 'POST',
        url: `/v1/admin/dead-letters/${svc.happy}/redrive`,
        headers: bearer(down.adminToken),
      });
      expect(expectProblem(p, 503)).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', dependency: 'sqs' });
    } finally {
      await down.close();
    }
  });
});
