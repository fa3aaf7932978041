import type { EventHandlers } from '@medvault/common/bus';
import type { Deps } from '../deps.js';

/**
 * The events the appointments service reacts to: its projection of the user directory, so a
 * booking can refuse unknown or inactive clinicians and patients. Upserts: safe to re-run.
 */
export function buildHandlers({ users }: Pick<Deps, 'users'>): EventHandlers {
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
