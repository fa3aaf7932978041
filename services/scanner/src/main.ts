import { queueConsumer, runServiceMain } from '@medvault/common/service';
import { buildApp } from './app.js';
import { loadServiceConfig } from './config.js';
import { buildDeps, SERVICE } from './deps.js';
import { buildHandlers } from './messaging/handlers.js';

runServiceMain({
  service: SERVICE,
  loadConfig: () => loadServiceConfig(),
  buildDeps,
  buildApp,
  listen: (c) => ({ host: c.HOST, port: c.SCANNER_PORT }),
  workers: (deps) => [
    queueConsumer(SERVICE, deps, buildHandlers(deps), {
      // Scans are CPU- and clamd-bound: a few at a time per instance; scale with instances. Two
      // receive loops of 2: a new upload never waits for the slowest scan of a batch of 5, and a
      // second instance gets its share of the queue instead of finding it emptied by the first.
      batchSize: 2,
      pollers: 2,
    }),
  ],
});
