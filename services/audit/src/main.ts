import { createEventConsumer } from '@medvault/common/bus';
import { runService, startOrExit } from '@medvault/common/http';
import { buildApp } from './app.js';
import { loadServiceConfig } from './config.js';
import { buildDeps, SERVICE } from './deps.js';
import { buildHandlers } from './messaging/handlers.js';

startOrExit(async () => {
  const config = loadServiceConfig();
  const deps = buildDeps(config);
  const app = await buildApp(deps);
  const consumer = createEventConsumer({
    name: SERVICE,
    sqs: deps.sqs,
    queueUrl: deps.queueUrl,
    handlers: buildHandlers(deps),
    idempotency: deps.idempotency,
    logger: deps.logger,
  });
  deps.logger.info({ port: config.AUDIT_PORT }, `${SERVICE} starting`);
  await runService({
    app,
    host: config.HOST,
    port: config.AUDIT_PORT,
    logger: deps.logger,
    workers: [consumer, deps.sealer],
    close: deps.close,
  });
});
