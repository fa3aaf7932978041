import type { Startable } from '@medvault/common/http';
import type { Logger } from '@medvault/common/logger';
import type { Sealer } from '../app/seal-segments.js';

/** Looks every `tickSeconds` whether a segment is due, and seals it (one tick at a time). */
export function sealerJob(sealer: Sealer, tickSeconds: number, logger: Logger): Startable & { kick(): void } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let started = false;
  const tick = () => {
    if (!started || running) return;
    running = sealer
      .tick()
      .then((digests) => {
        for (const d of digests) logger.info({ from: d.segment.from, to: d.seq }, 'audit segment sealed');
      })
      .catch((err: unknown) => logger.error({ err }, 'audit sealing failed'))
      .finally(() => {
        running = undefined;
      });
  };
  return {
    kick: tick,
    start() {
      started = true;
      timer = setInterval(tick, tickSeconds * 1000);
      tick();
    },
    async stop() {
      started = false;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
