import { createEventConsumer } from '@medvault/common/bus';
import { runService, startOrExit } from '@medvault/common/http';
import { purgeDue } from './app/purge.js';
import { buildApp } from './app.js';
import { loadServiceConfig } from './config.js';
import { buildDeps, SERVICE } from './deps.js';
import { createPurgeJob } from './jobs/purge.js';
import { buildHandlers } from './messaging/handlers.js';

startOrExit(async () => {
  const config = loadServiceConfig();
  const deps = await buildDeps(config);
  const app = await buildApp(deps);
  const consumer = createEventConsumer({
    name: SERVICE,
    sqs: deps.sqs,
    queueUrl: deps.queueUrl,
    handlers: buildHandlers(deps),
    idempotency: deps.idempotency,
    logger: deps.logger,
  });
  deps.logger.info({ port: config.FILES_PORT }, `${SERVICE} starting`);
  await runService({
    app,
    host: config.HOST,
    port: config.FILES_PORT,
    logger: deps.logger,
    workers: [consumer, deps.outbox, createPurgeJob(() => purgeDue(deps), config.PURGE_INTERVAL_SECONDS, deps.logger)],
    close: deps.close,
  });
});
