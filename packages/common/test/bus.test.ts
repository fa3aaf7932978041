import { SNSClient } from '@aws-sdk/client-sns';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEventConsumer, type EventConsumer, RedisIdempotencyStore, SnsEventPublisher } from '../src/bus/index.js';
import { createEvent, type Envelope } from '../src/events/index.js';
import { eventually, sleep, unique } from '../src/testing/index.js';
import { adminAws, type TempQueue, tempQueue } from './helpers.js';

const sqs = new SQSClient(adminAws());
const sns = new SNSClient(adminAws());
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const logger = pino({ level: 'silent' });
const publisher = new SnsEventPublisher(sns, process.env.EVENTS_TOPIC_ARN!);
const cleanup: (() => Promise<unknown>)[] = [];

function uploaded(fileId = `fil_${unique('x')}`): Envelope<'file.uploaded'> {
  return createEvent(
    'file.uploaded',
    {
      fileId,
      ownerId: 'usr_a',
      uploadedBy: 'usr_a',
      sha256: 'a'.repeat(64),
      size: 1,
      contentType: 'text/plain',
      bucket: 'b',
      key: 'k',
      generation: 1,
    },
    { correlationId: unique('req'), source: 'test' },
  );
}

async function queued(q: TempQueue, which: 'url' | 'dlqUrl' = 'url') {
  const r = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: q[which],
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(r.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(r.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

function consume(
  q: TempQueue,
  handler: (e: Envelope) => Promise<void>,
  extra: { stopTimeoutMs?: number; backoff?: { baseSeconds: number; maxSeconds: number } } = {},
): EventConsumer {
  const c = createEventConsumer({
    name: unique('consumer'),
    sqs,
    queueUrl: q.url,
    handlers: { 'file.uploaded': handler },
    idempotency: new RedisIdempotencyStore(redis),
    logger,
    visibilityTimeout: 5,
    waitTimeSeconds: 1,
    backoff: { baseSeconds: 1, maxSeconds: 2 },
    ...extra,
  });
  c.start();
  cleanup.push(() => c.stop());
  return c;
}

beforeAll(async () => {
  await redis.ping();
});
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});
afterAll(async () => {
  redis.disconnect();
  sqs.destroy();
  sns.destroy();
});

describe('event bus on the real emulator', () => {
  it('delivers a published event only to the queues whose filter policy matches', async () => {
    const wanted = await tempQueue(sqs, sns, { filter: ['file.uploaded'] });
    const other = await tempQueue(sqs, sns, { filter: ['appointment.booked'] });
    cleanup.push(
      () => wanted.close(),
      () => other.close(),
    );
    const event = uploaded();
    await publisher.publish(event);
    const got = await eventually('the event in the matching queue', async () => {
      const r = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: wanted.url,
          MessageAttributeNames: ['All'],
          WaitTimeSeconds: 1,
        }),
      );
      return r.Messages?.[0];
    });
    expect(JSON.parse(got.Body!).id).toBe(event.id);
    expect(got.MessageAttributes?.type?.StringValue).toBe('file.uploaded');
    expect(got.MessageAttributes?.version?.StringValue).toBe('1');
    expect(await queued(other)).toBe(0);
  });

  it('refuses to publish an event whose data breaks its schema', async () => {
    // As it would arrive from a careless producer: untyped JSON, the schema is the only guard.
    const bad: Envelope = JSON.parse(JSON.stringify({ ...uploaded(), data: { fileId: 'x' } }));
    await expect(publisher.publish(bad)).rejects.toThrow(/Invalid file.uploaded data/);
  });

  it('moves a poison message to the DLQ after maxReceiveCount receives while valid messages flow', async () => {
    const q = await tempQueue(sqs, sns, { subscribe: false, maxReceiveCount: 3, visibilityTimeout: 5 });
    cleanup.push(() => q.close());
    const handled: string[] = [];
    consume(q, async (e) => void handled.push(e.id));
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: '{"not":"an envelope"}' }));
    const good = uploaded();
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: JSON.stringify(good) }));
    await eventually('the valid message handled', () => handled.includes(good.id));
    await eventually('the poison message in the DLQ', async () => (await queued(q, 'dlqUrl')) === 1, {
      timeoutMs: 30_000,
    });
    expect(await queued(q)).toBe(0);
  });

  it('handles an event delivered twice (same event id) exactly once', async () => {
    const q = await tempQueue(sqs, sns, { subscribe: false });
    cleanup.push(() => q.close());
    const calls: string[] = [];
    const event = uploaded();
    for (let i = 0; i < 2; i++)
      await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: JSON.stringify(event) }));
    consume(q, async (e) => {
      calls.push(e.id);
      await sleep(200);
    });
    await eventually('both copies consumed', async () => (await queued(q)) === 0, { timeoutMs: 30_000 });
    await sleep(500);
    expect(calls).toEqual([event.id]);
  });

  it('leaves a message whose handler failed for a retry, then acknowledges it once it succeeds', async () => {
    const q = await tempQueue(sqs, sns, { subscribe: false });
    cleanup.push(() => q.close());
    let attempts = 0;
    consume(q, async () => {
      attempts++;
      if (attempts === 1) throw new Error('transient');
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: JSON.stringify(uploaded()) }));
    await eventually('a second, successful attempt', () => attempts >= 2, { timeoutMs: 30_000 });
    await eventually('the message acknowledged', async () => (await queued(q)) === 0);
    expect(attempts).toBe(2);
  });

  it('acks the rest of a received batch when one message fails, and retries only that one after its backoff', async () => {
    const q = await tempQueue(sqs, sns, { subscribe: false });
    cleanup.push(() => q.close());
    const events = Array.from({ length: 6 }, () => uploaded());
    const failing = events[2]!.id;
    const calls = new Map<string, number>();
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: q.url,
        Entries: events.map((e, i) => ({ Id: String(i), MessageBody: JSON.stringify(e) })),
      }),
    );
    consume(
      q,
      async (e) => {
        calls.set(e.id, (calls.get(e.id) ?? 0) + 1);
        if (e.id === failing && calls.get(e.id) === 1) throw new Error('transient');
      },
      { backoff: { baseSeconds: 4, maxSeconds: 4 } }, // a window in which only the failed one is left
    );
    // A receive may return fewer messages than asked for (LocalStack split this batch once), so wait for every
    // message to have been handled, not only for the queue to hold one.
    await eventually(
      'every message handled once and only the failed one left',
      async () => calls.size === events.length && (await queued(q)) === 1,
      { timeoutMs: 30_000 },
    );
    expect(calls.get(failing)).toBe(1);
    await eventually('the failed one retried and acked', async () => (await queued(q)) === 0, { timeoutMs: 30_000 });
    expect(Object.fromEntries(calls)).toEqual(Object.fromEntries(events.map((e) => [e.id, e.id === failing ? 2 : 1])));
  });

  it('finishes the in-flight message on stop before resolving, and acknowledges it', async () => {
    const q = await tempQueue(sqs, sns, { subscribe: false });
    cleanup.push(() => q.close());
    let started = false;
    let finished = false;
    const c = consume(q, async () => {
      started = true;
      await sleep(1500);
      finished = true;
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: JSON.stringify(uploaded()) }));
    await eventually('the handler started', () => started);
    await c.stop();
    expect(finished).toBe(true);
    expect(await queued(q)).toBe(0);
  });
});
