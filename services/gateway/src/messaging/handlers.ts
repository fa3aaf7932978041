import type { EventHandlers } from '@medvault/common/bus';
import { careHandlers } from '@medvault/common/projections';
import type { Deps } from '../deps.js';

/**
 * The events the gateway service reacts to (its queue's filter policy delivers only these): care
 * relationships from the appointments authority, projected for the people picker (GET /v1/people).
 * Upserts keyed by the pair and ignoring older facts: a redelivered or reordered event is harmless.
 */
export function buildHandlers(deps: Pick<Deps, 'careLinks'>): EventHandlers {
  return { ...careHandlers(deps.careLinks) };
}
