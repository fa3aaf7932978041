import { queueConsumer, runServiceMain } from '@medvault/common/service';
import { buildApp } from './app.js';
import { loadServiceConfig } from './config.js';
import { buildDeps, SERVICE } from './deps.js';
import { retentionJob } from './jobs/retention.js';
import { buildHandlers } from './messaging/handlers.js';

runServiceMain({
  service: SERVICE,
  loadConfig: loadServiceConfig,
  buildDeps,
  buildApp,
  listen: (c) => ({ host: c.HOST, port: c.CHAT_PORT }),
  workers: async (deps) => {
    await deps.hub
      .start()
      .catch((err) => deps.logger.warn({ err }, 'live channel not subscribed yet; retried on first stream'));
    return [
      queueConsumer(SERVICE, deps, buildHandlers(deps)),
      retentionJob(deps.ports, {
        retentionDays: deps.config.CHAT_RETENTION_DAYS,
        intervalSeconds: deps.config.CHAT_PURGE_INTERVAL_SECONDS,
        logger: deps.logger,
      }),
    ];
  },
});
