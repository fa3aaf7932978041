import { createBaseApp } from '@medvault/common/http';
import { type Deps, SERVICE } from './deps.js';

/**
 * Builds the watermark HTTP app from its dependencies: health and metrics only (no user is served,
 * so no token verifier). Never reads the environment, never listens.
 */
export async function buildApp(deps: Deps) {
  return createBaseApp({ service: SERVICE, logger: deps.logger, checks: deps.checks, callers: deps.callers });
}
