import { ChangeMessageVisibilityBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import { Consumer } from 'sqs-consumer';
import { AppError } from '../errors/index.js';
import { type Envelope, type EventType, parseEvent } from '../events/index.js';
import { counter, histogram } from '../http/metrics.js';
import { backoffDelay } from '../retry/index.js';
import type { IdempotencyStore } from './idempotency.js';

export interface HandlerContext {
  logger: Logger;
  receiveCount: number;
}
export type EventHandler<T extends EventType = EventType> = (event: Envelope<T>, ctx: HandlerContext) => Promise<void>;
export type EventHandlers = { [T in EventType]?: EventHandler<T> };

export interface EventConsumerOptions {
  /** Consumer name: the idempotency scope and the metrics label. */
  name: string;
  sqs: SQSClient;
  queueUrl: string;
  handlers: EventHandlers;
  idempotency: IdempotencyStore;
  logger: Logger;
  /** Seconds a received message stays invisible; the heartbeat extends it while a handler runs. */
  visibilityTimeout?: number;
  heartbeatInterval?: number;
  batchSize?: number;
  /**
   * Receive loops on the queue in this instance (default 1). WHY: a loop receives a batch and
   * polls again only once every message of it is handled, so a message arriving meanwhile waits
   * for the slowest of the batch, and one instance takes all there is while a second idles.
   * Several loops of small batches keep the same concurrency without that head-of-line wait.
   */
  pollers?: number;
  waitTimeSeconds?: number;
  /** Retry backoff through SQS visibility: min(base * 2^(receives-1), max) seconds. */
  backoff?: { baseSeconds: number; maxSeconds: number };
  /** How long stop() waits for in-flight messages before giving up. */
  stopTimeoutMs?: number;
}

export interface EventConsumer {
  start(): void;
  stop(): Promise<void>;
  readonly isRunning: boolean;
}

const handled = counter('bus_messages_handled_total', 'Messages handled by consumers', ['consumer', 'type', 'outcome']);
const duration = histogram('bus_handler_duration_seconds', 'Event handler duration', ['consumer', 'type']);

function receiveCountOf(m: Message): number {
  return Number(m.Attributes?.ApproximateReceiveCount ?? '1');
}

/**
 * SQS consumer with the platform's delivery rules: validate every event against the catalogue,
 * skip events already handled (idempotent on event id), ack only after the handler succeeded,
 * back off on failure through the message's visibility, and let SQS's redrive policy move a
 * message that keeps failing to the DLQ. Poison messages are made visible again at once so
 * they reach the DLQ after maxReceiveCount quick receives instead of blocking a worker.
 */
export function createEventConsumer(opts: EventConsumerOptions): EventConsumer {
  const visibilityTimeout = opts.visibilityTimeout ?? 30;
  const heartbeatSeconds = opts.heartbeatInterval ?? Math.max(1, Math.floor(visibilityTimeout / 3));
  const backoff = opts.backoff ?? { baseSeconds: 2, maxSeconds: 300 };
  const poison = new Set<string>();
  const log = opts.logger.child({ consumer: opts.name });

  async function handleMessage(message: Message): Promise<void> {
    const receiveCount = receiveCountOf(message);
    let event: Envelope;
    try {
      event = parseEvent(message.Body ?? '');
    } catch (err) {
      poison.add(message.MessageId ?? '');
      handled.inc({ consumer: opts.name, type: 'unknown', outcome: 'poison' });
      log.error({ messageId: message.MessageId, receiveCount, err }, 'poison message: left for the DLQ');
      throw err;
    }
    const elog = log.child({ eventId: event.id, eventType: event.type, correlationId: event.correlationId });
    const handler = opts.handlers[event.type] as EventHandler | undefined;
    if (!handler) {
      // The queue's filter policy should not deliver it; ack so it does not cycle forever.
      handled.inc({ consumer: opts.name, type: event.type, outcome: 'ignored' });
      return;
    }
    if (await opts.idempotency.isDone(opts.name, event.id)) {
      handled.inc({ consumer: opts.name, type: event.type, outcome: 'duplicate' });
      elog.info('duplicate delivery acknowledged without handling');
      return;
    }
    // The lease lives about one visibility timeout and is refreshed while the handler runs, so a
    // holder killed mid-handling blocks the redelivery for seconds, not minutes.
    const leaseTtl = visibilityTimeout + 5;
    if (!(await opts.idempotency.acquire(opts.name, event.id, leaseTtl))) {
      handled.inc({ consumer: opts.name, type: event.type, outcome: 'busy' });
      throw new AppError('CONFLICT', 'Event is being handled by another instance', { retryable: true });
    }
    const end = duration.startTimer({ consumer: opts.name, type: event.type });
    const keepLease = setInterval(
      () => void opts.idempotency.extend(opts.name, event.id, leaseTtl).catch(() => undefined),
      heartbeatSeconds * 1000,
    );
    try {
      await handler(event, { logger: elog, receiveCount });
      await opts.idempotency.markDone(opts.name, event.id);
      handled.inc({ consumer: opts.name, type: event.type, outcome: 'ok' });
    } catch (err) {
      await opts.idempotency.release(opts.name, event.id).catch(() => undefined);
      handled.inc({ consumer: opts.name, type: event.type, outcome: 'error' });
      elog.warn({ err, receiveCount }, 'handler failed: message left for retry');
      throw err;
    } finally {
      clearInterval(keepLease);
      end();
    }
  }

  const retryAfter = (m: Message) => {
    if (m.MessageId && poison.delete(m.MessageId)) return 0;
    // backoffDelay is unit-free: seconds in, seconds out (SQS visibility is in seconds).
    return backoffDelay(receiveCountOf(m), { baseMs: backoff.baseSeconds, maxMs: backoff.maxSeconds });
  };

  /**
   * A received batch is handled concurrently, one message at a time as above; the successes are
   * acked with one DeleteMessageBatch, and each failure gets its own backoff (poison: 0 s) with
   * one ChangeMessageVisibilityBatch. Two SQS calls per batch instead of one or two per message.
   */
  async function handleMessageBatch(messages: Message[]): Promise<Message[]> {
    const results = await Promise.allSettled(messages.map((m) => handleMessage(m)));
    const failed = messages.filter((_, i) => results[i]!.status === 'rejected');
    if (failed.length > 0) {
      const entries = failed.map((m, i) => ({
        Id: String(i),
        ReceiptHandle: m.ReceiptHandle!,
        VisibilityTimeout: retryAfter(m),
      }));
      // If this fails the messages come back after their visibility timeout instead: still retried.
      await opts.sqs
        .send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: opts.queueUrl, Entries: entries }))
        .catch((err: unknown) => log.warn({ err }, 'could not set the retry delay of failed messages'));
    }
    return messages.filter((_, i) => results[i]!.status === 'fulfilled');
  }

  const create = () =>
    Consumer.create({
      queueUrl: opts.queueUrl,
      sqs: opts.sqs,
      batchSize: opts.batchSize ?? 10,
      visibilityTimeout,
      heartbeatInterval: heartbeatSeconds,
      // Short long-polls bound how long stop() waits for the receive in flight.
      waitTimeSeconds: opts.waitTimeSeconds ?? 5,
      messageSystemAttributeNames: ['ApproximateReceiveCount'],
      attributeNames: ['ApproximateReceiveCount'] as never,
      messageAttributeNames: ['All'],
      pollingCompleteWaitTimeMs: opts.stopTimeoutMs ?? 20_000,
      handleMessageBatch,
      strictReturn: true,
      // Only reached if the batch handler itself throws (it does not by design): retry them all.
      terminateVisibilityTimeout: (messages: Message[]) => (messages[0] ? retryAfter(messages[0]) : 0),
    });
  const consumers = Array.from({ length: Math.max(1, opts.pollers ?? 1) }, create);
  for (const c of consumers) c.on('error', (err) => log.warn({ err }, 'consumer error'));

  const stopOne = (consumer: Consumer) =>
    new Promise<void>((resolve) => {
      if (!consumer.status.isRunning) return resolve();
      consumer.once('stopped', () => resolve());
      consumer.stop({ abort: false });
    });
  return {
    start: () => {
      for (const c of consumers) c.start();
    },
    get isRunning() {
      return consumers.some((c) => c.status.isRunning);
    },
    stop: async () => {
      await Promise.all(consumers.map(stopOne));
    },
  };
}
