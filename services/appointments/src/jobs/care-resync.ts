import { resyncAllCare } from '../app/resync-care.js';
import { loadServiceConfig } from '../config.js';
import { buildDeps, SERVICE } from '../deps.js';

/**
 * One-off: `npm run care:resync -w services/appointments` re-publishes every pair's care state from
 * its legitimate sources, ending care that clinician-only bookings granted before issue 14 #2.
 */
const deps = buildDeps(loadServiceConfig());
try {
  const result = await resyncAllCare(deps.ports);
  deps.logger.info({ ...result, service: SERVICE }, 'care relationships re-synced');
} finally {
  await deps.close();
}
