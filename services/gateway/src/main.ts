import { createEventConsumer } from '@medvault/common/bus';
import { runService, startOrExit } from '@medvault/common/http';
import { buildAdminApp } from './admin.js';
import { buildApp } from './app.js';
import { bootstrapWithRetry } from './bootstrap.js';
import { loadServiceConfig } from './config.js';
import { buildDeps, SERVICE } from './deps.js';
import { buildHandlers } from './messaging/handlers.js';

startOrExit(async () => {
  const config = loadServiceConfig();
  const deps = buildDeps(config);
  const app = await buildApp(deps);
  const admin = await buildAdminApp(deps);
  await admin.listen({ host: config.GATEWAY_ADMIN_HOST, port: config.GATEWAY_ADMIN_PORT });
  const consumer = createEventConsumer({
    name: SERVICE,
    sqs: deps.sqs,
    queueUrl: deps.queueUrl,
    handlers: buildHandlers(deps),
    idempotency: deps.idempotency,
    logger: deps.logger,
    // Nothing long-running in its handlers: do not let a long poll eat the whole drain budget.
    stopTimeoutMs: 12_000,
  });
  // Not awaited: the gateway listens (and reports not-ready) while Mongo is still coming up.
  const boot = bootstrapWithRetry(deps);
  deps.logger.info(
    { port: config.GATEWAY_PORT, adminPort: config.GATEWAY_ADMIN_PORT, tls: Boolean(deps.tls) },
    `${SERVICE} starting`,
  );
  await runService({
    app,
    host: config.HOST,
    port: config.GATEWAY_PORT,
    logger: deps.logger,
    workers: [
      consumer,
      deps.userEvents,
      { start() {}, stop: async () => boot.stop() },
      { start() {}, stop: () => admin.close() },
    ],
    close: deps.close,
  });
});
