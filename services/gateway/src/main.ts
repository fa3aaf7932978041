import { queueConsumer, runServiceMain, stopOnly } from '@medvault/common/service';
import { buildApp } from './app.js';
import { loadServiceConfig } from './config.js';
import { buildDeps, SERVICE } from './deps.js';
import { buildAdminApp } from './http/admin.js';
import { bootstrapJob } from './jobs/bootstrap.js';
import { buildHandlers } from './messaging/handlers.js';

runServiceMain({
  service: SERVICE,
  loadConfig: loadServiceConfig,
  buildDeps,
  buildApp,
  listen: (c) => ({ host: c.HOST, port: c.GATEWAY_PORT }),
  startLog: (c) => ({ adminPort: c.GATEWAY_ADMIN_PORT, tls: Boolean(c.TLS_CERT_FILE) }),
  workers: async (deps) => {
    const admin = await buildAdminApp(deps);
    await admin.listen({ host: deps.config.GATEWAY_ADMIN_HOST, port: deps.config.GATEWAY_ADMIN_PORT });
    return [
      // Nothing long-running in its handlers: do not let a long poll eat the whole drain budget.
      queueConsumer(SERVICE, deps, buildHandlers(deps), { stopTimeoutMs: 12_000 }),
      deps.userEvents,
      bootstrapJob(deps.bootstrapAdmin, deps.logger),
      stopOnly(() => admin.close()),
    ];
  },
});
