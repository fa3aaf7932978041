import type { Startable } from '@medvault/common/http';
import type { Logger } from '@medvault/common/logger';

/** Interval worker around a purge pass (PURGE_INTERVAL_SECONDS); errors are logged and retried next tick. */
export function createPurgeJob(purgeDue: () => Promise<number>, intervalSeconds: number, logger: Logger): Startable {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  const tick = () => {
    running ??= purgeDue()
      .then((n) => n && logger.info({ purged: n }, 'purged files past retention'))
      .catch((err: unknown) => logger.warn({ err }, 'purge pass failed; will retry'))
      .finally(() => {
        running = null;
      });
  };
  return {
    start() {
      timer ??= setInterval(tick, intervalSeconds * 1000);
      tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
