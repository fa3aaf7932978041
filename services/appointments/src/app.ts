import { createServiceApp } from '@medvault/common/http';
import { type Deps, SERVICE } from './deps.js';
import { appointmentRoutes } from './http/appointments.js';
import { careRoutes } from './http/care.js';
import { clinicianRoutes } from './http/clinicians.js';

/** Builds the appointments HTTP app from its dependencies. Never reads the environment, never listens. */
export async function buildApp(deps: Deps) {
  // The token verifier is loaded: the routes below, added directly, may name `app.authenticate`.
  const app = await createServiceApp(SERVICE, deps);
  // Indexes are performance only here (the invariant lives in the schedule CAS): do not block start.
  deps.ensureIndexes().catch((err) => deps.logger.warn({ err }, 'index creation failed; retried on next start'));
  appointmentRoutes(app, deps.ports);
  clinicianRoutes(app, deps.ports);
  careRoutes(app, deps.ports);
  return app;
}
