import type { Startable } from '@medvault/common/http';
import type { Deps } from '../deps.js';

export interface OutboxRelay extends Startable {
  /** Publishes pending events now (also called right after a write, so events leave promptly). */
  flush(): Promise<number>;
  kick(): void;
}

/**
 * Relays events recorded in file documents' `outbox` arrays to SNS, oldest document first and
 * in order within a document, then removes exactly the published envelopes. A crash between
 * publish and removal republishes (at least once); consumers dedupe on the event id. While SNS
 * is down nothing is removed, and the interval retries until it is back.
 */
export function createOutboxRelay(deps: Pick<Deps, 'files' | 'publisher' | 'logger' | 'config'>): OutboxRelay {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  const log = deps.logger.child({ worker: 'outbox-relay' });

  async function once(): Promise<number> {
    let sent = 0;
    for (;;) {
      const docs = await deps.files.withPendingEvents(50);
      if (docs.length === 0) return sent;
      for (const doc of docs) {
        const done = [];
        try {
          for (const e of doc.outbox) {
            await deps.publisher.publish(e);
            done.push(e);
          }
        } finally {
          if (done.length) await deps.files.markSent(doc._id, done);
          sent += done.length;
        }
      }
    }
  }

  const flush = () => {
    // One pass at a time: concurrent passes would publish the same envelope twice.
    running ??= once().finally(() => {
      running = null;
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
      timer ??= setInterval(tick, deps.config.OUTBOX_INTERVAL_MS);
      tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}
