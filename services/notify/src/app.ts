import { createServiceApp } from '@medvault/common/http';
import { type Deps, SERVICE } from './deps.js';
import { inboxRoutes } from './http/inbox.js';
import { streamRoutes } from './http/stream.js';
import { webhookRoutes } from './http/webhooks.js';

/** Builds the notify HTTP app from its dependencies. Never reads the environment, never listens. */
export async function buildApp(deps: Deps) {
  // The token verifier is loaded: the routes below, added directly, may name `app.authenticate`.
  const app = await createServiceApp(SERVICE, deps);
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
