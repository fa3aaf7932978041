import type { EventHandlers } from '@medvault/common/bus';
import type { Deps } from '../deps.js';
import { wire } from '../wiring.js';

/**
 * The events the appointments service reacts to: its projection of the user directory, so a
 * booking can refuse unknown or inactive clinicians and patients. Upserts: safe to re-run.
 */
export function buildHandlers(deps: Deps): EventHandlers {
  const { users } = wire(deps);
  return {
    'user.created': async (e) => {
      await users.upsert(e.data.userId, { role: e.data.role, active: e.data.active ?? true });
    },
    'user.updated': async (e) => {
      await users.upsert(e.data.userId, {
        ...(e.data.role ? { role: e.data.role } : {}),
        ...(e.data.active !== undefined ? { active: e.data.active } : {}),
      });
    },
  };
}
