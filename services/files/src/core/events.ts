import type { Principal } from '@medvault/common/auth';
import { type Actor, createEvent, type Envelope, type EventData, type EventType } from '@medvault/common/events';
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../deps.js';

/** Who and what caused an event: copied into every envelope (audit needs it). */
export interface EventMeta {
  correlationId: string;
  actor?: Actor;
}

export const SOURCE = 'files';

export function metaOf(req: FastifyRequest, p: Principal): EventMeta {
  const ua = req.headers['user-agent'];
  // The client address from the verified gateway assertion, never a request header.
  const ip = req.clientIp;
  return {
    correlationId: req.id,
    actor: {
      userId: p.userId,
      role: p.role,
      ...(ip ? { ip } : {}),
      ...(typeof ua === 'string' ? { userAgent: ua.slice(0, 512) } : {}),
    },
  };
}

export const systemMeta = (correlationId: string): EventMeta => ({
  correlationId,
  actor: { userId: 'files', role: 'system' },
});

/** A validated envelope, typed loosely so events of different types share one outbox array. */
export function event<T extends EventType>(clock: Clock, type: T, data: EventData<T>, meta: EventMeta): Envelope {
  const ctx = {
    correlationId: meta.correlationId,
    source: SOURCE,
    now: clock.now(),
    ...(meta.actor ? { actor: meta.actor } : {}),
  };
  return createEvent(type, data as never, ctx) as unknown as Envelope;
}
