import type { EventHandler, EventHandlers } from '@medvault/common/bus';
import { eventTypes } from '@medvault/common/events';
import type { Deps } from '../deps.js';

/**
 * Every catalogued event becomes one audit record (the audit queue has no filter policy).
 * Re-running is safe: the record's unique event id turns a redelivery into a no-op.
 */
export function buildHandlers(deps: Pick<Deps, 'audit'>): EventHandlers {
  const record: EventHandler = async (event, ctx) => {
    const r = await deps.audit.ingest(event);
    if (r.duplicate) ctx.logger.info('event already in the audit log');
  };
  const handlers: EventHandlers = {};
  for (const type of eventTypes) (handlers as Record<string, EventHandler>)[type] = record;
  return handlers;
}
