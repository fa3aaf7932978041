import { createBaseApp } from '@medvault/common/http';
import { type Deps, SERVICE } from './deps.js';
import { appointmentRoutes } from './http/appointments.js';
import { careRoutes } from './http/care.js';
import { clinicianRoutes } from './http/clinicians.js';

/** Builds the appointments HTTP app from its dependencies. Never reads the environment, never listens. */
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
  // Indexes are performance only here (the invariant lives in the schedule CAS): do not block start.
  deps.ensureIndexes().catch((err) => deps.logger.warn({ err }, 'index creation failed; retried on next start'));
  appointmentRoutes(app, deps.ports);
  clinicianRoutes(app, deps.ports);
  careRoutes(app, deps.ports);
  return app;
}
