import { SNSClient } from '@aws-sdk/client-sns';
import { awsClientConfig } from '@medvault/common/aws';
import { createEventConsumer, type EventConsumer, SnsEventPublisher } from '@medvault/common/bus';
import { createEvent } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import { credentialsFor, eventually, openTopicQueue, type TopicQueue, unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHandlers } from '../src/messaging/handlers.js';
import { bearer, futureMonday, instance, plusMinutes, scratchDb } from './helpers.js';

let svc: Awaited<ReturnType<typeof instance>>;
let consumer: EventConsumer;
let queue: TopicQueue;
let sns: SNSClient;
let bus: SnsEventPublisher;

beforeAll(async () => {
  svc = await instance(scratchDb());
  // A queue and a consumer name of its own: on the shared queue the running appointments service
  // takes some of these events (into its own database), and under the name 'appointments' it
  // marks them done in the shared idempotency store before this consumer sees them.
  queue = await openTopicQueue(['user.created', 'user.updated']);
  consumer = createEventConsumer({
    name: unique('appointments-bus-test'),
    sqs: queue.sqs,
    queueUrl: queue.url,
    handlers: buildHandlers(svc.deps),
    idempotency: svc.deps.idempotency,
    logger: svc.deps.logger,
    waitTimeSeconds: 1,
  });
  consumer.start();
  // Test setup publishes as the identity provider would (admin credentials, like the gateway's role).
  sns = new SNSClient(
    awsClientConfig({
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
      ...credentialsFor('provisioner'),
    }),
  );
  bus = new SnsEventPublisher(sns, process.env.EVENTS_TOPIC_ARN!);
});

afterAll(async () => {
  await consumer.stop();
  await queue.close();
  sns.destroy();
  await svc.deps.db.dropDatabase().catch(() => undefined);
  await svc.deps.close();
});

const publish = (type: 'user.created' | 'user.updated', data: Record<string, unknown>) =>
  bus.publish(createEvent(type, data as never, { correlationId: 'test', source: 'gateway' }));

describe('user projection from the bus', () => {
  it('learns users from user.created on the bus, and refuses a clinician deactivated by user.updated', async () => {
    const clinician = newId('user');
    const patient = newId('user');
    await publish('user.created', { userId: clinician, role: 'clinician', email: 'dr@example.test' });
    await publish('user.created', { userId: patient, role: 'patient' });
    const start = futureMonday(13, 0, 9);
    const book = (s: Date) =>
      svc.app.inject({
        method: 'POST',
        url: '/v1/appointments',
        headers: bearer(patient, 'patient'),
        payload: {
          clinicianId: clinician,
          patientId: patient,
          start: s.toISOString(),
          end: plusMinutes(s, 30).toISOString(),
        },
      });
    const first = await eventually('the booking to be accepted', async () => {
      const r = await book(start);
      return r.statusCode === 201 ? r : undefined;
    });
    expect(first.json().clinicianId).toBe(clinician);

    await publish('user.updated', { userId: clinician, active: false, changes: ['active'] });
    const refused = await eventually('the deactivated clinician to be refused', async () => {
      const r = await book(plusMinutes(start, 60));
      return r.statusCode === 422 ? r : undefined;
    });
    expect(refused.json().errors).toEqual([{ field: 'clinicianId', message: 'unknown or inactive clinician' }]);
  });
});
