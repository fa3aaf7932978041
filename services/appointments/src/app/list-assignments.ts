import { AppError } from '@medvault/common/errors';
import type { AppointmentsPorts, CareAssignment } from '../domain/ports.js';
import type { RequestContext } from './emit.js';

/** GET /v1/clinicians/:clinicianId/patients: an admin, or the clinician themself. */
export async function listAssignments(
  ports: AppointmentsPorts,
  ctx: RequestContext,
  clinicianId: string,
): Promise<CareAssignment[]> {
  const p = ctx.principal;
  if (p.role !== 'admin' && !(p.role === 'clinician' && p.userId === clinicianId))
    throw new AppError('FORBIDDEN', "Only an admin or the clinician may list the clinician's assignments");
  return ports.assignments.listFor(clinicianId);
}
