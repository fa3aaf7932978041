import { createServiceApp } from '@medvault/common/http';
import { type Deps, SERVICE } from './deps.js';

/**
 * Builds the watermark HTTP app from its dependencies: health and metrics only (no user is served,
 * so no token verifier). Never reads the environment, never listens.
 */
export async function buildApp(deps: Deps) {
  return createServiceApp(SERVICE, deps);
}
