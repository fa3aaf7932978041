import { runServiceMain } from '@medvault/common/service';
import { buildApp } from './app.js';
import { loadServiceConfig } from './config.js';
import { buildDeps, SERVICE } from './deps.js';

runServiceMain({
  service: SERVICE,
  loadConfig: loadServiceConfig,
  buildDeps,
  buildApp,
  listen: (c) => ({ host: c.HOST, port: c.AUDIT_PORT }),
  // The batch consumer and the sealer: both finish their work in flight before the clients close.
  workers: (deps) => [deps.consumer, deps.sealer],
});
