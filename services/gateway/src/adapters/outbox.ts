import type { EventPublisher } from '@medvault/common/bus';
import type { Envelope } from '@medvault/common/events';
import { counter, gauge } from '@medvault/common/http';
import type { Logger } from '@medvault/common/logger';
import { backoffDelay } from '@medvault/common/retry';
import type { EventSink } from '../domain/ports.js';

const dropped = counter('gateway_events_dropped_total', 'Events dropped (queue full or retries exhausted)', [
  'type',
  'why',
]);
const depth = gauge('gateway_event_queue_depth', 'Events waiting to be published');

interface Item {
  event: Envelope;
  attempts: number;
}

export interface BackgroundPublisherOptions {
  maxQueue: number;
  concurrency?: number;
  maxAttempts?: number;
  intervalMs?: number;
}

/**
 * Bounded in-memory queue drained in the background, so the request path never waits for SNS.
 * Publishing failures are retried a few times; when the queue is full the oldest event is dropped
 * and counted (availability of the API wins over completeness of the access trail, and the metric
 * makes the loss visible). Drained on stop().
 */
export class BackgroundPublisher implements EventSink {
  private readonly queue: Item[] = [];
  private inFlight = 0;
  private retrying = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly idle: (() => void)[] = [];

  constructor(
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
    private readonly o: BackgroundPublisherOptions,
  ) {}

  enqueue(event: Envelope): void {
    if (this.queue.length >= this.o.maxQueue) {
      const old = this.queue.shift();
      if (old) dropped.inc({ type: old.event.type, why: 'queue_full' });
    }
    this.queue.push({ event, attempts: 0 });
    depth.set(this.queue.length);
    this.schedule(0);
  }

  get pending() {
    return this.queue.length + this.inFlight + this.retrying;
  }

  private schedule(delay: number) {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, delay);
    this.timer.unref();
  }

  private pump() {
    const limit = this.o.concurrency ?? 8;
    while (this.inFlight < limit && this.queue.length > 0) {
      const item = this.queue.shift()!;
      this.inFlight++;
      void this.send(item).finally(() => {
        this.inFlight--;
        depth.set(this.queue.length);
        if (this.queue.length > 0) this.schedule(0);
        else if (this.pending === 0) for (const r of this.idle.splice(0)) r();
      });
    }
  }

  private async send(item: Item) {
    try {
      await this.publisher.publish(item.event);
    } catch (err) {
      item.attempts++;
      if (item.attempts >= (this.o.maxAttempts ?? 5)) {
        dropped.inc({ type: item.event.type, why: 'publish_failed' });
        this.logger.error({ err, eventId: item.event.id, type: item.event.type }, 'event dropped after retries');
        return;
      }
      // Back off before the retry without holding a concurrency slot.
      this.retrying++;
      setTimeout(
        () => {
          this.retrying--;
          this.queue.unshift(item);
          this.schedule(0);
        },
        backoffDelay(item.attempts + 1, { baseMs: this.o.intervalMs ?? 200, maxMs: 30_000 }),
      ).unref();
    }
  }

  /** Resolves once everything queued so far has been published (or given up on), or at the deadline. */
  async flush(timeoutMs = 10_000): Promise<void> {
    if (this.pending === 0) return;
    this.schedule(0);
    await Promise.race([
      new Promise<void>((r) => this.idle.push(r)),
      new Promise<void>((r) => setTimeout(r, timeoutMs).unref()),
    ]);
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    await this.flush(timeoutMs);
    if (this.queue.length > 0) this.logger.warn({ left: this.queue.length }, 'events not published at shutdown');
  }
}
