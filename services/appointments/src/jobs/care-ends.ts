import type { Startable } from '@medvault/common/http';
import type { Logger } from '@medvault/common/logger';
import { endDueCare } from '../app/end-due-care.js';
import type { AppointmentsPorts } from '../domain/ports.js';

/**
 * Interval job: emits care.relationship_ended for pairs whose grace period after a cancellation
 * expired without a new booking. Safe on several instances (entries are claimed before use).
 */
export function careEndJob(ports: AppointmentsPorts, intervalSeconds: number, logger: Logger): Startable {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = endDueCare(ports)
      .then((n) => n > 0 && logger.info({ ended: n }, 'care relationships ended after grace period'))
      .catch((err) => logger.warn({ err }, 'care end job failed; retried next tick'));
  };
  return {
    start: () => {
      timer = setInterval(tick, intervalSeconds * 1000);
      timer.unref();
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
