import type { EventHandlers } from '@medvault/common/bus';
import type { Deps } from '../deps.js';

/** The events the files service reacts to (its queue's filter policy delivers only these). */
export function buildHandlers(_deps: Deps): EventHandlers {
  return {};
}
