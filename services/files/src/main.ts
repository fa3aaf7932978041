import { queueConsumer, runServiceMain } from '@medvault/common/service';
import { purgeDue } from './app/purge.js';
import { buildApp } from './app.js';
import { loadServiceConfig } from './config.js';
import { buildDeps, SERVICE } from './deps.js';
import { createPurgeJob } from './jobs/purge.js';
import { buildHandlers } from './messaging/handlers.js';

runServiceMain({
  service: SERVICE,
  loadConfig: loadServiceConfig,
  buildDeps,
  buildApp,
  listen: (c) => ({ host: c.HOST, port: c.FILES_PORT }),
  workers: (deps) => [
    // Four receive loops of 3 (about the concurrency of one batch of 10, without its head-of-line
    // wait: a verdict arriving during a batch is handled at once, not after the batch's slowest).
    queueConsumer(SERVICE, deps, buildHandlers(deps), { batchSize: 3, pollers: 4 }),
    deps.outbox,
    createPurgeJob(() => purgeDue(deps), deps.config.PURGE_INTERVAL_SECONDS, deps.logger),
  ],
});
