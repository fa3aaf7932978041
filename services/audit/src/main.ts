import { runService, startOrExit } from '@medvault/common/http';
import { buildApp } from './app.js';
import { loadServiceConfig } from './config.js';
import { buildDeps, SERVICE } from './deps.js';

startOrExit(async () => {
  const config = loadServiceConfig();
  const deps = buildDeps(config);
  const app = await buildApp(deps);
  deps.logger.info({ port: config.AUDIT_PORT }, `${SERVICE} starting`);
  await runService({
    app,
    host: config.HOST,
    port: config.AUDIT_PORT,
    logger: deps.logger,
    workers: [deps.consumer, deps.sealer],
    close: deps.close,
  });
});
