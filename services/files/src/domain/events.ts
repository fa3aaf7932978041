import { type Actor, createEvent, type Envelope, type EventData, type EventType } from '@medvault/common/events';
import type { Clock } from './ports.js';

/** Who and what caused an event: copied into every envelope (audit needs it). */
export interface EventMeta {
  correlationId: string;
  actor?: Actor;
}

export const SOURCE = 'files';

export const systemMeta = (correlationId: string): EventMeta => ({
  correlationId,
  actor: { userId: 'files', role: 'system' },
});

/** A validated envelope (typed envelopes are Envelopes: events of different types share one outbox). */
export function event<T extends EventType>(clock: Clock, type: T, data: EventData<T>, meta: EventMeta): Envelope {
  const ctx = {
    correlationId: meta.correlationId,
    source: SOURCE,
    now: clock.now(),
    ...(meta.actor ? { actor: meta.actor } : {}),
  };
  return createEvent(type, data, ctx);
}
