import { AppError } from '@medvault/common/errors';
import type { AppointmentsPorts, PendingCareEnd } from '../domain/ports.js';
import type { RequestContext } from './emit.js';
import { syncCare } from './sync-care.js';

/** DELETE /v1/clinicians/:clinicianId/patients/:patientId: care ends unless an appointment still holds. */
export async function unassignCare(ports: AppointmentsPorts, ctx: RequestContext, pair: PendingCareEnd): Promise<void> {
  if (ctx.principal.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an admin removes a care assignment');
  if (!(await ports.assignments.remove(pair))) throw new AppError('NOT_FOUND', 'Assignment not found');
  await syncCare(ports, pair, ctx);
}
