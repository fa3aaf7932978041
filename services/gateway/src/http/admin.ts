import { registerErrorHandling, registerHealth, registry } from '@medvault/common/http';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { Deps } from '../deps.js';

/**
 * The operators' listener (GATEWAY_ADMIN_PORT, default GATEWAY_PORT + 1000, bound to
 * GATEWAY_ADMIN_HOST = 127.0.0.1 by default): the detailed readiness (which dependency is down,
 * and why) and the metrics. The public entry point says up or down only (pentest finding 18).
 */
export async function buildAdminApp(deps: Deps) {
  const state = { shuttingDown: false };
  const logger: FastifyBaseLogger = deps.logger.child({ listener: 'admin' });
  const app = Fastify({ loggerInstance: logger, return503OnClosing: true });
  registerErrorHandling(app);
  registerHealth(app, deps.checks, state, { details: 'full' });
  app.get('/metrics', { logLevel: 'warn' }, async (_req, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
  return app;
}
