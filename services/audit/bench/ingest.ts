import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { awsClientConfig } from '@medvault/common/aws';
import { credentialsFor } from '@medvault/common/testing';
import { buildDeps } from '../src/deps.js';
import { padSeq } from '../src/domain/checkpoint.js';
import { createAuditBatchConsumer } from '../src/messaging/batch-consumer.js';
import { benchConfig, ChainGenerator, event, figures, profiled, rate } from './common.js';

/**
 * Ingest through the service's real path: events sent to a private SQS queue first, then the
 * audit batch consumer receives, appends (chain writer, ordered inserts) and acks them. Baselines,
 * the two things any consumer must do: draining the same queue with bare receive + batch delete
 * (same number of pollers, nothing else), and the database's own ordered insert of the same
 * records with the same batch size and indexes.
 */
export async function ingestPhase(count: number, keep: boolean) {
  const deps = buildDeps(benchConfig('ingest', { AUDIT_APPEND_BATCH: '100' }));
  const sqs = new SQSClient(
    awsClientConfig({
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
      ...credentialsFor('provisioner'),
    }),
  );
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${deps.config.MONGO_DB.replaceAll('_', '-')}`,
      Attributes: { VisibilityTimeout: '60' },
    }),
  );
  try {
    await deps.audit.ingest(event(-1)); // indexes, connections: seq 1
    await fill(sqs, QueueUrl!, count, 1_000_000);
    let t = Date.now();
    await drain(sqs, QueueUrl!, count);
    const drainRate = rate(count, Date.now() - t);
    console.log(`ingest: bare SQS drain (receive 10 + batch delete, 8 pollers): ${drainRate} messages/s`);
    await fill(sqs, QueueUrl!, count, 0);
    const consumer = createAuditBatchConsumer({
      sqs,
      queueUrl: QueueUrl!,
      logger: deps.logger,
      ingestMany: (events) => deps.audit.ingestMany(events),
    });
    t = Date.now();
    await profiled('ingest', async () => {
      consumer.start();
      for (;;) {
        const head = await deps.audit.store.readHint();
        if ((head?.seq ?? 0) >= count + 1) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    const ms = Date.now() - t;
    await consumer.stop();

    // Baseline: the database's ordered insert of the same kind of records, 100 per command, one after another.
    const gen = new ChainGenerator();
    const raw = deps.db.collection('raw_insert_baseline');
    for (const name of ['eventId', 'actor.userId', 'patientId', 'resource.id', 'action', 'occurredAt'])
      await raw.createIndex({ [name]: 1 }, name === 'eventId' ? { unique: true } : {});
    const sample = Math.min(count, 10_000);
    const docs = gen.take(1, sample).map((r) => ({ _id: padSeq(r.seq), ...r }));
    const rt = Date.now();
    for (let i = 0; i < docs.length; i += 100)
      await raw.insertMany(docs.slice(i, i + 100) as never[], { ordered: true });
    const rawRate = rate(sample, Date.now() - rt);
    console.log(
      `ingest: ${count} events via SQS in ${(ms / 1000).toFixed(1)} s = ${rate(count, ms)} events/s; raw ordered insert of ${sample} records: ${rawRate} records/s`,
    );
    figures.push({
      metric: `ingest via SQS (${count} events, one instance) vs bare queue drain`,
      value: rate(count, ms),
      unit: 'events/s',
      baseline: { label: 'bare SQS receive + batch delete, same pollers', value: drainRate, unit: 'messages/s' },
    });
    figures.push({
      metric: `ingest via SQS (${count} events, one instance) vs raw insert`,
      value: rate(count, ms),
      unit: 'events/s',
      baseline: { label: 'raw ordered insertMany into the same database', value: rawRate, unit: 'records/s' },
    });
  } finally {
    await sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined);
    sqs.destroy();
    if (!keep) await deps.db.dropDatabase().catch(() => undefined);
    await deps.close();
  }
}

/** Sends `count` events (ids offset so the two fills never collide), 20 batches of 10 at a time. */
async function fill(sqs: SQSClient, QueueUrl: string, count: number, offset: number) {
  const t = Date.now();
  for (let i = 0; i < count; i += 10 * 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, Math.ceil((count - i) / 10)) }, (_, b) =>
        sqs.send(
          new SendMessageBatchCommand({
            QueueUrl,
            Entries: Array.from({ length: Math.min(10, count - i - b * 10) }, (_, k) => ({
              Id: String(k),
              MessageBody: JSON.stringify(event(offset + i + b * 10 + k)),
            })),
          }),
        ),
      ),
    );
  }
  console.log(`ingest: queued ${count} events in ${((Date.now() - t) / 1000).toFixed(1)} s (producer, not measured)`);
}

/** The bare consumer: receive 10, delete them in one call, with 8 pollers, until `count` are gone. */
async function drain(sqs: SQSClient, QueueUrl: string, count: number) {
  let left = count;
  const poller = async () => {
    while (left > 0) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      const ms = r.Messages ?? [];
      if (ms.length === 0) continue;
      left -= ms.length;
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: ms.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, poller));
}
