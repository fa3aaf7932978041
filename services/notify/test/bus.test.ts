import { SNSClient } from '@aws-sdk/client-sns';
import { awsClientConfig } from '@medvault/common/aws';
import { createEventConsumer, type EventConsumer, SnsEventPublisher } from '@medvault/common/bus';
import { newId } from '@medvault/common/ids';
import { credentialsFor, eventually, openTopicQueue, sleep, type TopicQueue, unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFYING_TYPES } from '../src/domain/templates.js';
import { buildHandlers } from '../src/messaging/handlers.js';
import { bearer, event, type Instance, instance, scratch, smtpSink } from './helpers.js';

let svc: Instance;
let smtp: Awaited<ReturnType<typeof smtpSink>>;
let consumer: EventConsumer;
let sns: SNSClient;
let bus: SnsEventPublisher;
let queue: TopicQueue;

beforeAll(async () => {
  smtp = await smtpSink();
  svc = await instance(scratch(), unique('notify-live-test'), {
    SMTP_PORT: String(smtp.port),
    LOG_LEVEL: process.env.TEST_LOG ?? 'silent',
  });
  queue = await openTopicQueue([...NOTIFYING_TYPES, 'user.created', 'user.updated']);
  consumer = createEventConsumer({
    // Its own name: idempotency keys are per consumer name in the shared Redis, and the running
    // notify service (consumer 'notify') handles the same published events on its own queue and
    // would mark them done first.
    name: unique('notify-bus-test'),
    sqs: queue.sqs,
    queueUrl: queue.url,
    handlers: buildHandlers(svc.deps),
    idempotency: svc.deps.idempotency,
    logger: svc.deps.logger,
    waitTimeSeconds: 1,
  });
  consumer.start();
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
  await Promise.all([svc.deps.close(), smtp.close()]);
});

// Real SNS -> SQS -> consumer (validation, Redis idempotency, ack) -> handlers, on a private queue with
// the notify filter policy: the shared medvault-notify queue carries other suites' backlog.
describe('notifications from the real bus', () => {
  it('turns an appointment.booked published twice into one inbox entry and one email per party', async () => {
    const clinician = newId('user');
    const patient = newId('user');
    const cMail = `${unique('c')}@example.test`;
    const pMail = `${unique('p')}@example.test`;
    await bus.publish(event('user.created', { userId: clinician, role: 'clinician', email: cMail }));
    await bus.publish(event('user.created', { userId: patient, role: 'patient', email: pMail }));
    await eventually(
      'the user projection',
      async () =>
        (await svc.deps.db
          .collection('users')
          .countDocuments({ _id: { $in: [clinician, patient] } as never, email: { $exists: true } })) === 2,
    );

    const booked = event('appointment.booked', {
      appointmentId: newId('appointment'),
      clinicianId: clinician,
      patientId: patient,
      start: '2031-04-07T09:00:00.000Z',
      end: '2031-04-07T09:30:00.000Z',
    });
    await bus.publish(booked);
    await bus.publish(booked); // at-least-once delivery: the same event again
    await eventually(
      'both emails',
      () =>
        smtp.mails.filter((m) => m.raw.includes(booked.id) || m.to.some((t) => t === cMail || t === pMail)).length >= 2,
    );
    await sleep(1500); // let the duplicate be received and handled (or skipped)
    for (const [u, role] of [
      [clinician, 'clinician'],
      [patient, 'patient'],
    ] as const) {
      const items = (await svc.app.inject({ url: '/v1/notifications', headers: bearer(u, role) })).json().items;
      expect(items).toHaveLength(1);
    }
    expect(smtp.mails.filter((m) => m.to.includes(cMail))).toHaveLength(1);
    expect(smtp.mails.filter((m) => m.to.includes(pMail))).toHaveLength(1);
  });
});
