import type { EventHandler, EventHandlers } from '@medvault/common/bus';
import type { Deps } from '../deps.js';
import { NOTIFYING_TYPES } from '../domain/templates.js';

/** The events the notify service reacts to (its queue's filter policy delivers only these). */
export function buildHandlers(w: Pick<Deps, 'ready' | 'notifier' | 'directory'>): EventHandlers {
  const notify: EventHandler = async (event, ctx) => {
    await w.ready();
    await w.notifier.handle(event, ctx.logger);
  };
  const handlers: EventHandlers = {
    'user.created': async (e) => {
      await w.directory.upsert(e.data.userId, {
        role: e.data.role,
        active: e.data.active ?? true,
        ...(e.data.email ? { email: e.data.email } : {}),
      });
    },
    'user.updated': async (e) => {
      await w.directory.upsert(e.data.userId, {
        ...(e.data.role ? { role: e.data.role } : {}),
        ...(e.data.active !== undefined ? { active: e.data.active } : {}),
        ...(e.data.email ? { email: e.data.email } : {}),
      });
    },
  };
  for (const t of NOTIFYING_TYPES) (handlers as Record<string, EventHandler>)[t] = notify;
  return handlers;
}
