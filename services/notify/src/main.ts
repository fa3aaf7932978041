import { queueConsumer, runServiceMain } from '@medvault/common/service';
import { buildApp } from './app.js';
import { loadServiceConfig } from './config.js';
import { buildDeps, SERVICE } from './deps.js';
import { buildHandlers } from './messaging/handlers.js';

runServiceMain({
  service: SERVICE,
  loadConfig: loadServiceConfig,
  buildDeps,
  buildApp,
  listen: (c) => ({ host: c.HOST, port: c.NOTIFY_PORT }),
  workers: async (deps) => {
    await deps.hub
      .start()
      .catch((err: unknown) => deps.logger.warn({ err }, 'live channel not subscribed yet; retried on first stream'));
    return [queueConsumer(SERVICE, deps, buildHandlers(deps)), deps.webhooks];
  },
});
