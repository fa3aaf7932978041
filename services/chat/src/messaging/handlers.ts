import type { EventHandlers } from '@medvault/common/bus';
import type { Deps } from '../deps.js';

/**
 * The events chat keeps projections of (its queue's filter policy delivers only these): who
 * exists with which role, and who has whom in care (the facts the files service decides from).
 */
export function buildHandlers(deps: Pick<Deps, 'directory'>): EventHandlers {
  const d = deps.directory;
  return {
    'user.created': async (e) => {
      await d.upsertUser(e.data.userId, { role: e.data.role, active: e.data.active ?? true }, new Date(e.occurredAt));
    },
    'user.updated': async (e) => {
      await d.upsertUser(
        e.data.userId,
        {
          ...(e.data.role ? { role: e.data.role } : {}),
          ...(e.data.active !== undefined ? { active: e.data.active } : {}),
        },
        new Date(e.occurredAt),
      );
    },
    'care.relationship_started': async (e) => {
      await d.setCare(e.data.clinicianId, e.data.patientId, true, new Date(e.occurredAt));
    },
    'care.relationship_ended': async (e) => {
      await d.setCare(e.data.clinicianId, e.data.patientId, false, new Date(e.occurredAt));
    },
  };
}
