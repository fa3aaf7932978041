import type { Logger } from 'pino';
import type { Envelope } from '../events/index.js';
import type { EventPublisher } from './publisher.js';

/** Where a transactional outbox lives: documents that carry the events of their own writes. */
export interface OutboxSource {
  /** Up to `limit` documents with unpublished events, each with its events in write order. */
  withPendingEvents(limit: number): Promise<{ _id: string; outbox: Envelope[] }[]>;
  /** Removes exactly these published envelopes; events appended meanwhile stay. */
  markSent(id: string, events: Envelope[]): Promise<void>;
}

export interface OutboxRelay {
  /** Publishes pending events now (also called right after a write, so events leave promptly). */
  flush(): Promise<number>;
  /** Starts a pass in the background (errors are logged; the interval retries). */
  kick(): void;
  start(): void;
  stop(): Promise<void>;
}

/**
 * The scheduling every outbox relay shares, around its `pass` (publish what is pending, return how
 * many events went out): one pass at a time per instance (concurrent passes would publish the same
 * envelope twice); a kick during a pass (a write whose event that pass may already have missed)
 * runs one more right after it, instead of leaving the event for the next interval; the interval
 * retries a failed pass; `stop` waits for the pass in flight.
 */
export function relayPasses(pass: () => Promise<number>, opts: { logger: Logger; intervalMs: number }): OutboxRelay {
  const log = opts.logger.child({ worker: 'outbox-relay' });
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let again = false;

  const flush = (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = pass().finally(() => {
      running = null;
      if (again) {
        again = false;
        tick();
      }
    });
    return running;
  };
  const tick = () => {
    flush().catch((err: unknown) => log.warn({ err }, 'outbox relay pass failed; will retry'));
  };
  return {
    flush,
    kick: tick,
    start() {
      timer ??= setInterval(tick, opts.intervalMs);
      tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      again = false;
      await running?.catch(() => undefined);
    },
  };
}

/**
 * Relays events recorded in documents' `outbox` arrays to the bus, in order within a document,
 * then removes exactly the published envelopes. A crash between publish and removal republishes
 * (at least once); consumers dedupe on the event id. While the bus is down nothing is removed,
 * and the interval retries until it is back: an event written with its change is never lost.
 */
export function createOutboxRelay(opts: {
  source: OutboxSource;
  publisher: EventPublisher;
  logger: Logger;
  intervalMs: number;
}): OutboxRelay {
  async function once(): Promise<number> {
    let sent = 0;
    for (;;) {
      const docs = await opts.source.withPendingEvents(50);
      if (docs.length === 0) return sent;
      for (const doc of docs) {
        const done: Envelope[] = [];
        try {
          for (const e of doc.outbox) {
            await opts.publisher.publish(e);
            done.push(e);
          }
        } finally {
          if (done.length) await opts.source.markSent(doc._id, done);
          sent += done.length;
        }
      }
    }
  }
  return relayPasses(once, opts);
}
