import type { Startable } from '@medvault/common/http';
import type { Logger } from '@medvault/common/logger';
import { purgeExpired } from '../app/purge-expired.js';
import type { ChatPorts } from '../domain/ports.js';

/** Purges messages past CHAT_RETENTION_DAYS every interval (0 days: keeps them for ever). */
export function retentionJob(
  ports: ChatPorts,
  o: { retentionDays: number; intervalSeconds: number; logger: Logger },
): Startable {
  let timer: NodeJS.Timeout | undefined;
  const run = async () => {
    if (o.retentionDays <= 0) return;
    try {
      const n = await purgeExpired(ports, o.retentionDays);
      if (n > 0) o.logger.info({ purged: n }, 'chat messages past retention purged');
    } catch (err) {
      o.logger.warn({ err }, 'chat retention purge failed; retried next interval');
    }
  };
  return {
    start: () => {
      timer = setInterval(run, o.intervalSeconds * 1000);
      timer.unref();
      void run();
    },
    stop: async () => {
      if (timer) clearInterval(timer);
    },
  };
}
