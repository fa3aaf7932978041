import { queueConsumer, runServiceMain } from '@medvault/common/service';
import { buildApp } from './app.js';
import { loadServiceConfig } from './config.js';
import { buildDeps, SERVICE } from './deps.js';
import { careEndJob } from './jobs/care-ends.js';
import { buildHandlers } from './messaging/handlers.js';

runServiceMain({
  service: SERVICE,
  loadConfig: loadServiceConfig,
  buildDeps,
  buildApp,
  listen: (c) => ({ host: c.HOST, port: c.APPOINTMENTS_PORT }),
  workers: (deps) => [
    queueConsumer(SERVICE, deps, buildHandlers(deps)),
    careEndJob(deps.ports, deps.config.CARE_JOB_INTERVAL_SECONDS, deps.logger),
  ],
});
