import type { EventHandlers } from '@medvault/common/bus';
import type { Deps } from '../deps.js';

/** Only the appointments service derives care (patient confirmations, admin assignments). */
const CARE_AUTHORITY = 'appointments';

/**
 * The events the gateway service reacts to (its queue's filter policy delivers only these): care
 * relationships, projected for the people picker (GET /v1/people). Upserts keyed by the pair and
 * ignoring older facts, so a redelivered or reordered event is harmless.
 */
export function buildHandlers(deps: Pick<Deps, 'careLinks'>): EventHandlers {
  const ignore = (source: string, logger: { warn: (o: object, m: string) => void }) =>
    logger.warn({ source }, 'care event from a service that is not the care authority ignored');
  return {
    'care.relationship_started': async (e, { logger }) => {
      if (e.source !== CARE_AUTHORITY) return ignore(e.source, logger);
      await deps.careLinks.setCare(e.data.clinicianId, e.data.patientId, true, new Date(e.occurredAt));
    },
    'care.relationship_ended': async (e, { logger }) => {
      if (e.source !== CARE_AUTHORITY) return ignore(e.source, logger);
      await deps.careLinks.setCare(e.data.clinicianId, e.data.patientId, false, new Date(e.occurredAt));
    },
  };
}
