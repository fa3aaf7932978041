import { createServiceApp } from '@medvault/common/http';
import { type Deps, SERVICE } from './deps.js';
import { auditRoutes } from './http/routes.js';

/** Builds the audit HTTP app from its dependencies. Never reads the environment, never listens. */
export async function buildApp(deps: Deps) {
  // The token verifier is loaded: the routes below, added directly, may name `app.authenticate`.
  const app = await createServiceApp(SERVICE, deps);
  auditRoutes(app, deps.audit);
  return app;
}
