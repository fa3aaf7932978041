import { createBaseApp } from '@medvault/common/http';
import { type Deps, SERVICE } from './deps.js';
import { MAX_PATH_PARAM_LENGTH } from './docs/routes.js';
import { accessAuditPlugin } from './http/access-audit.js';
import { adminHealthRoutes } from './http/admin-health-routes.js';
import { authRoutes } from './http/auth-routes.js';
import { browserSessionPlugin } from './http/browser-session.js';
import { deadLetterRoutes } from './http/dead-letter-routes.js';
import { docsPlugin } from './http/docs.js';
import { peopleRoutes } from './http/people-routes.js';
import { proxyRoutes } from './http/proxy.js';
import { edgeRequestIds } from './http/request-id.js';
import { securityPlugin } from './http/security.js';
import { sessionRoutes } from './http/session-routes.js';
import { slowBodyGuard } from './http/slow-body.js';
import { userRoutes } from './http/user-routes.js';
import { defaultWebConsoleDir, webConsole } from './http/web-console.js';

/** Builds the gateway HTTP app from its dependencies. Never reads the environment, never listens. */
export async function buildApp(deps: Deps) {
  const c = deps.config;
  const app = createBaseApp({
    service: SERVICE,
    logger: deps.logger,
    checks: deps.checks,
    // The public entry point says up or down only; details are on the admin listener (http/admin.ts).
    readinessDetails: false,
    // The edge: clients call it; it vouches for them to the internal services (proxy.ts).
    callers: { kind: 'edge' },
    auth: deps.tokenAuth,
    bodyLimit: c.BODY_LIMIT_BYTES,
    fastify: {
      ...edgeRequestIds,
      trustProxy: c.TRUST_PROXY,
      routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
      ...(deps.tls ? { https: { cert: deps.tls.cert, key: deps.tls.key } } : {}),
    },
  });
  // The web console: its session cookie becomes the bearer token before anything reads it; its
  // static files come before the API's security plugin (own headers, no API rate budget).
  await app.register(browserSessionPlugin);
  await app.register(webConsole, { dir: defaultWebConsoleDir() });
  // Order matters: docs (swagger collects routes) and security (rate limit hooks every route)
  // must be registered before the routes they cover.
  await app.register(docsPlugin);
  await app.register(accessAuditPlugin, { deps });
  await app.register(slowBodyGuard, {
    minBytesPerSecond: deps.config.MIN_BODY_BYTES_PER_SECOND,
    graceSeconds: deps.config.SLOW_BODY_GRACE_SECONDS,
  });
  await app.register(securityPlugin, { deps });
  await app.register(authRoutes, { deps });
  await app.register(sessionRoutes, { deps });
  await app.register(userRoutes, { deps });
  await app.register(peopleRoutes, { deps });
  await app.register(adminHealthRoutes, { deps });
  await app.register(deadLetterRoutes, { deps });
  await app.register(proxyRoutes, { deps });
  return app;
}
