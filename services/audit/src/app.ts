import { createBaseApp } from '@medvault/common/http';
import { type Deps, SERVICE } from './deps.js';
import { auditRoutes } from './http/routes.js';

/** Builds the audit HTTP app from its dependencies. Never reads the environment, never listens. */
export async function buildApp(deps: Deps) {
  const app = createBaseApp({
    service: SERVICE,
    logger: deps.logger,
    checks: deps.checks,
    callers: deps.callers,
    auth: deps.tokenAuth,
  });
  // The routes name app.authenticate when declared: let the base app's verifier load first.
  await app.after();
  auditRoutes(app, deps.audit);
  return app;
}
