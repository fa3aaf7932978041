import type { Principal } from '@medvault/common/auth';
import type { EventPublisher } from '@medvault/common/bus';
import { type Actor, createEvent, type Envelope, type EventData, type EventType } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';

export interface RequestContext {
  principal: Principal;
  correlationId: string;
  ip?: string;
  userAgent?: string;
}

/** Publishes one event as the caller (ip / user agent / request id), or as `system` for jobs. */
export async function emit<T extends EventType>(
  publisher: EventPublisher,
  ctx: RequestContext | undefined,
  type: T,
  data: EventData<T>,
) {
  const actor: Actor = ctx
    ? { userId: ctx.principal.userId, role: ctx.principal.role }
    : { userId: 'system', role: 'system' };
  if (ctx?.ip) actor.ip = ctx.ip;
  if (ctx?.userAgent) actor.userAgent = ctx.userAgent.slice(0, 512);
  const event = createEvent(type, data, {
    correlationId: ctx?.correlationId ?? newId('request'),
    source: 'appointments',
    actor,
  });
  await publisher.publish(event);
}
