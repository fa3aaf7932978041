import type { EventPublisher } from '@medvault/common/bus';
import { type Actor, createEvent } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import type { Events } from '../domain/ports.js';

/** chat.* events on the bus as the caller (ip / user agent / request id), or `system` for jobs. */
export function busEvents(publisher: EventPublisher, source = 'chat'): Events {
  return {
    async emit(type, data, caller) {
      const actor: Actor = caller
        ? { userId: caller.principal.userId, role: caller.principal.role }
        : { userId: 'system', role: 'system' };
      if (caller?.ip) actor.ip = caller.ip;
      if (caller?.userAgent) actor.userAgent = caller.userAgent.slice(0, 512);
      const event = createEvent(type, data, {
        correlationId: caller?.requestId ?? newId('request'),
        source,
        actor,
      });
      await publisher.publish(event);
    },
  };
}
