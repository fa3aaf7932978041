import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type Envelope, parseEvent } from '@medvault/common/events';
import type { Startable } from '@medvault/common/http';
import type { Logger } from '@medvault/common/logger';

export interface BatchConsumerOptions {
  sqs: SQSClient;
  queueUrl: string;
  logger: Logger;
  /** Appends the events in this order; resolves only once they are durably stored. */
  ingestMany(events: Envelope[]): Promise<unknown>;
  /** Receive loops in flight (each takes up to 10 messages per ReceiveMessage). */
  pollers?: number;
  /** Gathers messages of several receives into one append of at most this many. */
  maxBatch?: number;
  /** Messages received but not yet acked, at most (receives pause above it). */
  maxInflight?: number;
  waitTimeSeconds?: number;
  visibilityTimeout?: number;
  backoff?: { baseSeconds: number; maxSeconds: number };
}

const receiveCountOf = (m: Message) => Number(m.Attributes?.ApproximateReceiveCount ?? 1);

/**
 * The audit queue's consumer, built for throughput: several long-poll receive loops, the messages
 * of all of them appended together in one ordered chain batch, then acked with one
 * DeleteMessageBatch per receive. Acknowledged only after the append resolved (the records are in
 * the database), so a crash loses nothing: unacked messages come back and the unique event id
 * makes the second append a no-op. That index is the idempotency, so no per-message Redis lease
 * (the shared consumer's three round trips per message were most of its cost here).
 */
export function createAuditBatchConsumer(opts: BatchConsumerOptions): Startable {
  const pollers = opts.pollers ?? 8;
  const maxBatch = opts.maxBatch ?? 500;
  const maxInflight = opts.maxInflight ?? 1000;
  // Receiving goes on while earlier messages are appended (bigger append batches, no idle
  // pollers), up to maxInflight messages; then the pollers wait for acks.
  let inflight = 0;
  const handling = new Set<Promise<void>>();
  const waiters: (() => void)[] = [];
  const roomFreed = () => new Promise<void>((r) => waiters.push(r));
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  const backoff = opts.backoff ?? { baseSeconds: 2, maxSeconds: 300 };
  const log = opts.logger.child({ consumer: 'audit-batch' });
  let running = false;
  const loops: Promise<void>[] = [];
  let abort = new AbortController();

  // Receives waiting to be appended, flushed together by whoever gets there first.
  let waiting: { events: Envelope[]; done: (err?: unknown) => void }[] = [];
  let flushing: Promise<void> | undefined;
  const flush = async (): Promise<void> => {
    while (waiting.length > 0) {
      const group: typeof waiting = [];
      let size = 0;
      while (waiting.length > 0 && (group.length === 0 || size + waiting[0]!.events.length <= maxBatch)) {
        const g = waiting.shift()!;
        size += g.events.length;
        group.push(g);
      }
      try {
        await opts.ingestMany(group.flatMap((g) => g.events));
        for (const g of group) g.done();
      } catch (err) {
        for (const g of group) g.done(err);
      }
    }
  };
  const append = (events: Envelope[]) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ events, done: (err) => (err ? reject(err) : resolve()) });
      flushing ??= flush().finally(() => {
        flushing = undefined;
      });
    });

  async function handle(messages: Message[]): Promise<void> {
    const events: Envelope[] = [];
    const ok: Message[] = [];
    const poison: Message[] = [];
    for (const m of messages) {
      try {
        events.push(parseEvent(m.Body ?? ''));
        ok.push(m);
      } catch (err) {
        log.error({ messageId: m.MessageId, err }, 'poison message: left for the DLQ');
        poison.push(m);
      }
    }
    let failed: Message[] = poison;
    if (events.length > 0) {
      try {
        await append(events);
        await del(ok);
      } catch (err) {
        log.warn({ err, count: ok.length }, 'append failed: messages left for retry');
        failed = [...failed, ...ok];
      }
    }
    if (failed.length > 0) await retryLater(failed, new Set(poison));
  }

  const del = async (messages: Message[]) => {
    if (messages.length === 0) return;
    const r = await opts.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: opts.queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
    // Not deleted = delivered again later, and then recognised as already recorded.
    if (r.Failed?.length) log.warn({ failed: r.Failed.length }, 'some acks failed: they will be redelivered');
  };

  const retryLater = async (messages: Message[], poison: Set<Message>) => {
    const entries = messages.map((m, i) => ({
      Id: String(i),
      ReceiptHandle: m.ReceiptHandle!,
      VisibilityTimeout: poison.has(m)
        ? 0
        : Math.min(backoff.maxSeconds, backoff.baseSeconds * 2 ** Math.max(0, receiveCountOf(m) - 1)),
    }));
    await opts.sqs
      .send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: opts.queueUrl, Entries: entries }))
      .catch((err: unknown) => log.warn({ err }, 'could not set the retry delay of failed messages'));
  };

  async function loop(): Promise<void> {
    while (running) {
      while (running && inflight >= maxInflight) await roomFreed();
      if (!running) return;
      try {
        const r = await opts.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: opts.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: opts.waitTimeSeconds ?? 2,
            VisibilityTimeout: opts.visibilityTimeout ?? 30,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
          { abortSignal: abort.signal },
        );
        const messages = r.Messages ?? [];
        if (messages.length > 0) {
          inflight += messages.length;
          const h = handle(messages).finally(() => {
            inflight -= messages.length;
            handling.delete(h);
            wake();
          });
          handling.add(h);
        }
      } catch (err) {
        if (!running) return;
        log.warn({ err }, 'receive failed');
        await new Promise((res) => setTimeout(res, 1000));
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      abort = new AbortController();
      for (let i = 0; i < pollers; i++) loops.push(loop());
    },
    async stop() {
      running = false;
      // Receives in flight hold no message yet worth waiting for; appends in flight finish.
      abort.abort();
      wake();
      await Promise.allSettled(loops.splice(0));
      await Promise.allSettled([...handling]);
      await flushing;
      waiting = [];
    },
  };
}
