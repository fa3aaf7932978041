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
  listen: (c) => ({ host: c.HOST, port: c.WATERMARK_PORT }),
  workers: (deps) => [
    queueConsumer(SERVICE, deps, buildHandlers(deps), {
      // One image at a time per instance: the memory bound of a rendition is one decoded image.
      batchSize: 1,
    }),
  ],
});
