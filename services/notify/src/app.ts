import { createBaseApp } from '@medvault/common/http';
import { type Deps, SERVICE } from './deps.js';
import { inboxRoutes } from './http/inbox.js';
import { streamRoutes } from './http/stream.js';
import { webhookRoutes } from './http/webhooks.js';

/** Builds the notify HTTP app from its dependencies. Never reads the environment, never listens. */
export async function buildApp(deps: Deps) {
  const app = createBaseApp({
    service: SERVICE,
    logger: deps.logger,
    checks: deps.checks,
    callers: deps.callers,
    auth: deps.tokenAuth,
  });
  // The routes below are added directly (not as awaited plugins): load the token verifier first
  // so `app.authenticate` exists when they reference it.
  await app.after();
  deps
    .ready()
    .catch((err) => deps.logger.warn({ err }, 'index creation failed; retried before the first notification'));
  const now = () => deps.now();
  inboxRoutes(app, deps, now);
  webhookRoutes(app, deps, now);
  streamRoutes(app, deps, {
    heartbeatSeconds: deps.config.SSE_HEARTBEAT_SECONDS,
    replayLimit: deps.config.SSE_REPLAY_LIMIT,
  });
  // Open streams would hold the server open for ever: end them when the app closes.
  app.addHook('preClose', async () => deps.hub.closeAll());
  return app;
}
