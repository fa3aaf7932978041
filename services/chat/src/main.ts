import { createEventConsumer } from '@medvault/common/bus';
import { runService, startOrExit } from '@medvault/common/http';
import { buildApp } from './app.js';
import { loadServiceConfig } from './config.js';
import { buildDeps, SERVICE } from './deps.js';
import { retentionJob } from './jobs/retention.js';
import { buildHandlers } from './messaging/handlers.js';

startOrExit(async () => {
  const config = loadServiceConfig();
  const deps = buildDeps(config);
  const app = await buildApp(deps);
  await deps.hub
    .start()
    .catch((err) => deps.logger.warn({ err }, 'live channel not subscribed yet; retried on first stream'));
  const consumer = createEventConsumer({
    name: SERVICE,
    sqs: deps.sqs,
    queueUrl: deps.queueUrl,
    handlers: buildHandlers(deps),
    idempotency: deps.idempotency,
    logger: deps.logger,
  });
  const retention = retentionJob(deps.ports, {
    retentionDays: config.CHAT_RETENTION_DAYS,
    intervalSeconds: config.CHAT_PURGE_INTERVAL_SECONDS,
    logger: deps.logger,
  });
  deps.logger.info({ port: config.CHAT_PORT }, `${SERVICE} starting`);
  await runService({
    app,
    host: config.HOST,
    port: config.CHAT_PORT,
    logger: deps.logger,
    workers: [consumer, retention],
    close: deps.close,
  });
});
