import type { Startable } from '@medvault/common/http';
import { newId } from '@medvault/common/ids';
import { systemMeta } from '../core/events.js';
import { purge } from '../core/transitions.js';
import type { Deps } from '../deps.js';

/** One purge pass: every deleted file past purgeAfter (by the injectable clock) goes for good. */
export async function purgeDue(deps: Deps): Promise<number> {
  let n = 0;
  for (;;) {
    const due = await deps.files.dueForPurge(deps.clock.now(), 100);
    if (due.length === 0) break;
    let progressed = false;
    for (const f of due) {
      if (await purge(deps, f, systemMeta(newId('request')))) {
        n++;
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  if (n) deps.outbox.kick();
  return n;
}

/** Interval worker around purgeDue (PURGE_INTERVAL_SECONDS); errors are logged and retried next tick. */
export function createPurgeJob(deps: Deps): Startable {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  const tick = () => {
    running ??= purgeDue(deps)
      .then((n) => n && deps.logger.info({ purged: n }, 'purged files past retention'))
      .catch((err: unknown) => deps.logger.warn({ err }, 'purge pass failed; will retry'))
      .finally(() => {
        running = null;
      });
  };
  return {
    start() {
      timer ??= setInterval(tick, deps.config.PURGE_INTERVAL_SECONDS * 1000);
      tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
