import { type OutboxRelay, createOutboxRelay as relay } from '@medvault/common/bus';
import type { Deps } from '../deps.js';

export type { OutboxRelay };

/** The shared outbox relay over file documents (see @medvault/common/bus createOutboxRelay). */
export function createOutboxRelay(deps: Pick<Deps, 'files' | 'publisher' | 'logger' | 'config'>): OutboxRelay {
  return relay({
    source: deps.files,
    publisher: deps.publisher,
    logger: deps.logger,
    intervalMs: deps.config.OUTBOX_INTERVAL_MS,
  });
}
