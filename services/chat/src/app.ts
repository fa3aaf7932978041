import { createServiceApp } from '@medvault/common/http';
import { type Deps, SERVICE } from './deps.js';
import { conversationRoutes } from './http/conversations.js';
import { messageRoutes } from './http/messages.js';
import { moderationRoutes } from './http/moderation.js';
import { streamRoutes } from './http/stream.js';

/** Builds the chat HTTP app from its dependencies. Never reads the environment, never listens. */
export async function buildApp(deps: Deps) {
  // The token verifier is loaded: the routes below, added directly, may name `app.authenticate`.
  const app = await createServiceApp(SERVICE, deps);
  deps.ensureIndexes().catch((err) => deps.logger.warn({ err }, 'index creation failed; retried at next start'));
  conversationRoutes(app, deps.ports);
  messageRoutes(app, deps.ports);
  moderationRoutes(app, deps.ports);
  streamRoutes(app, {
    ports: deps.ports,
    hub: deps.hub,
    presence: deps.presence,
    revocations: deps.revocations,
    heartbeatSeconds: deps.config.SSE_HEARTBEAT_SECONDS,
  });
  // Open streams would hold the server open for ever: end them when the app closes.
  app.addHook('preClose', async () => deps.hub.closeAll());
  return app;
}
