import { AppError } from '@medvault/common/errors';
import type { AppointmentsPorts, CareAssignment, PendingCareEnd } from '../domain/ports.js';
import type { RequestContext } from './emit.js';
import { checkParties } from './schedule.js';
import { syncCare } from './sync-care.js';

/** PUT /v1/clinicians/:clinicianId/patients/:patientId: an admin puts the patient in the clinician's care. */
export async function assignCare(
  ports: AppointmentsPorts,
  ctx: RequestContext,
  pair: PendingCareEnd,
): Promise<CareAssignment> {
  if (ctx.principal.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an admin assigns care');
  await checkParties(ports, pair.clinicianId, pair.patientId);
  const a = await ports.assignments.put({ ...pair, assignedBy: ctx.principal.userId, assignedAt: ports.clock.now() });
  await syncCare(ports, pair, ctx);
  return a;
}
