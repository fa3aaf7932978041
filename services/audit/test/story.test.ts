import { SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { awsClientConfig } from '@medvault/common/aws';
import { SnsEventPublisher } from '@medvault/common/bus';
import type { Envelope } from '@medvault/common/events';
import type { Startable } from '@medvault/common/http';
import { credentialsFor, eventually, unique } from '@medvault/common/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoRecordStore } from '../src/adapters/mongo-records.js';
import type { Deps } from '../src/deps.js';
import { ChainWriter } from '../src/domain/chain-writer.js';
import { draftFromEvent } from '../src/domain/record.js';
import { createAuditBatchConsumer } from '../src/messaging/batch-consumer.js';
import { chainEnv, closeAll, ev, instance, sha } from './helpers.js';

const admin = {
  AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
  AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
  ...credentialsFor('provisioner'),
};
const sqs = new SQSClient(awsClientConfig(admin));
const sns = new SNSClient(awsClientConfig(admin));
const publisher = new SnsEventPublisher(sns, process.env.EVENTS_TOPIC_ARN!);

const req = {
  upload: unique('req'),
  link: unique('req'),
  download: unique('req'),
  share: unique('req'),
  remove: unique('req'),
};
let deps: Deps;
let consumer: Startable;
let queueUrl: string;
let subscriptionArn: string | undefined;

beforeAll(async () => {
  deps = instance(chainEnv());
  // A private queue on the real topic, receiving only this story's requests (filter on the
  // correlationId attribute), so the shared audit queue and its service are left alone.
  const q = await sqs.send(
    new CreateQueueCommand({ QueueName: unique('audit-story'), Attributes: { VisibilityTimeout: '5' } }),
  );
  queueUrl = q.QueueUrl!;
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const sub = await sns.send(
    new SubscribeCommand({
      TopicArn: process.env.EVENTS_TOPIC_ARN,
      Protocol: 'sqs',
      Endpoint: attrs.Attributes!.QueueArn,
      Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ correlationId: Object.values(req) }) },
    }),
  );
  subscriptionArn = sub.SubscriptionArn;
  // The service's own consumer (batched receive, append, ack), on this test's private queue.
  consumer = createAuditBatchConsumer({
    sqs,
    queueUrl,
    logger: deps.logger,
    ingestMany: (events) => deps.audit.ingestMany(events),
    pollers: 2,
    waitTimeSeconds: 1,
  });
  consumer.start();
});

afterAll(async () => {
  await consumer?.stop();
  if (subscriptionArn)
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn })).catch(() => undefined);
  if (queueUrl) await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
  await closeAll();
  sqs.destroy();
  sns.destroy();
});

const recordOf = (eventId: string) => deps.audit.store.records.findOne({ eventId });

/** Publishes on the real bus and waits until the audit consumer recorded it (keeps the order known). */
async function deliver(e: Envelope) {
  await publisher.publish(e);
  return eventually(`audit record of ${e.type}`, async () => (await recordOf(e.id)) ?? undefined, {
    timeoutMs: 20_000,
  });
}

describe('audit of a file story through the real bus', () => {
  const patient = { userId: unique('usr'), role: 'patient' as const, ip: '203.0.113.7', userAgent: 'MedVault-iOS/3.1' };
  const clinician = { userId: unique('usr'), role: 'clinician' as const, ip: '198.51.100.4', userAgent: 'Mozilla/5.0' };
  const system = { userId: 'scanner', role: 'system' as const };
  const fileId = unique('fil');
  const linkId = unique('lnk');
  const file = { fileId, ownerId: patient.userId };
  const stored = {
    sha256: sha('c'),
    size: 1234,
    contentType: 'application/pdf',
    bucket: 'medvault-quarantine',
    key: `q/${fileId}`,
    generation: 1,
  };
  const access = (method: string, route: string, status: number) => ({
    method,
    route,
    status,
    durationMs: 12,
    resourceType: 'file',
    resourceId: fileId,
    patientId: patient.userId,
  });

  it('records upload, scan, download, share and delete in order, with request ids where they belong', async () => {
    const story: Envelope[] = [
      ev(
        'file.uploaded',
        { ...file, uploadedBy: patient.userId, ...stored },
        { correlationId: req.upload, actor: patient },
      ),
      ev('request.completed', access('POST', '/v1/files', 202), {
        correlationId: req.upload,
        actor: patient,
        source: 'gateway',
      }),
      ev(
        'file.scanned',
        {
          fileId,
          generation: 1,
          verdict: 'clean',
          signatures: [],
          engine: 'ClamAV 1.4.6',
          databaseVersion: '1',
          durationMs: 40,
        },
        { correlationId: req.upload, actor: system, source: 'scanner' },
      ),
      ev('file.clean', { ...file, ...stored }, { correlationId: req.upload, actor: system, source: 'files' }),
      ev('file.available', { ...file, uploadedBy: patient.userId }, { correlationId: req.upload, source: 'files' }),
      ev(
        'file.link_created',
        { fileId, linkId, expiresAt: new Date(Date.now() + 3600_000).toISOString(), patientId: patient.userId },
        { correlationId: req.link, actor: clinician },
      ),
      ev('file.downloaded', { ...file, linkId, bytes: 1234 }, { correlationId: req.download, actor: clinician }),
      ev('request.completed', access('GET', '/v1/files/:id/content', 200), {
        correlationId: req.download,
        actor: clinician,
        source: 'gateway',
      }),
      ev('file.shared', { ...file, sharedWith: clinician.userId }, { correlationId: req.share, actor: patient }),
      ev('request.completed', access('DELETE', '/v1/files/:id', 403), {
        correlationId: req.remove,
        actor: clinician,
        source: 'gateway',
      }),
      ev(
        'file.deleted',
        { ...file, purgeAfter: new Date(Date.now() + 30 * 86400_000).toISOString() },
        { correlationId: req.remove, actor: patient },
      ),
    ];
    const records = [];
    for (const e of story) records.push(await deliver(e));

    const seqs = records.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(story.length);
    expect(records.map((r) => r.action)).toEqual(story.map((e) => e.type));
    expect(records.map((r) => r.requestId)).toEqual(story.map((e) => e.correlationId));
    expect(records.every((r) => r.patientId === patient.userId || r.type === 'file.scanned')).toBe(true);
    expect(records.every((r) => r.resource?.type === 'file' && r.resource.id === fileId)).toBe(true);

    expect(records[0]).toMatchObject({
      actor: patient,
      outcome: 'success',
      requestId: req.upload,
      data: { key: `q/${fileId}` },
    });
    expect(records[6]).toMatchObject({
      action: 'file.downloaded',
      actor: clinician,
      outcome: 'success',
      requestId: req.download,
    });
    expect(records[9]).toMatchObject({
      action: 'request.completed',
      actor: clinician,
      outcome: 'denied',
      data: { status: 403, route: '/v1/files/:id' },
    });
    expect(records[10]).toMatchObject({
      action: 'file.deleted',
      actor: patient,
      outcome: 'success',
      requestId: req.remove,
    });
    for (let i = 1; i < records.length; i++) {
      if (records[i]!.seq === records[i - 1]!.seq + 1) expect(records[i]!.prevHash).toBe(records[i - 1]!.hash);
    }
    // The running stack may react to these events on the real topic (its scanner to file.uploaded,
    // its watermark to file.clean) under the same correlation ids: those land in this chain too.
    const total = await deps.audit.store.records.countDocuments();
    expect(total).toBeGreaterThanOrEqual(story.length);
    expect(await deps.audit.verify()).toMatchObject({ ok: true, checked: total });
  });

  it('keeps one record when the same SQS message is delivered 3 times', async () => {
    const e = ev('file.restored', { fileId, ownerId: patient.userId }, { correlationId: req.remove, actor: patient });
    for (let i = 0; i < 3; i++)
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(e) }));
    await eventually('the redelivered event recorded', async () => (await recordOf(e.id)) ?? undefined);
    // Give the two extra copies time to be consumed, then count.
    await eventually('queue drained', async () => {
      const a = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return (
        a.Attributes?.ApproximateNumberOfMessages === '0' && a.Attributes?.ApproximateNumberOfMessagesNotVisible === '0'
      );
    });
    expect(await deps.audit.store.records.countDocuments({ eventId: e.id })).toBe(1);
  });

  it('keeps one record when the storage layer alone sees the same event 3 times (no cache)', async () => {
    const store = new MongoRecordStore(deps.db);
    const writer = new ChainWriter(store); // no Redis memory: only the unique event id index
    const e = ev('file.purged', { fileId, ownerId: patient.userId }, { correlationId: unique('req'), source: 'files' });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await writer.append(draftFromEvent(e)));
    expect(results.map((r) => r.duplicate)).toEqual([false, true, true]);
    expect(await store.records.countDocuments({ eventId: e.id })).toBe(1);
    expect(await deps.audit.verify()).toMatchObject({ ok: true });
  });
});
