import { tokenVerifier } from '@medvault/common/auth';
import { createBaseApp } from '@medvault/common/http';
import { type Deps, SERVICE } from './deps.js';
import { auditRoutes } from './http/routes.js';

/** Builds the audit HTTP app from its dependencies. Never reads the environment, never listens. */
export async function buildApp(deps: Deps) {
  const app = createBaseApp({ service: SERVICE, logger: deps.logger, checks: deps.checks, callers: deps.callers });
  await app.register(tokenVerifier, {
    publicKey: deps.jwtPublicKey,
    issuer: deps.config.JWT_ISSUER,
    audience: deps.config.JWT_AUDIENCE,
    revocation: deps.revocation,
  });
  auditRoutes(app, deps.audit);
  return app;
}
