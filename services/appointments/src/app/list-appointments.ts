import { AppError } from '@medvault/common/errors';
import type { Appointment, AppointmentStatus, AppointmentsPorts, ListQuery } from '../domain/ports.js';
import type { RequestContext } from './emit.js';

export interface ListInput {
  clinicianId?: string | undefined;
  patientId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  status?: AppointmentStatus | undefined;
  after?: { start: Date; id: string } | undefined;
  limit: number;
}

/**
 * GET /v1/appointments: scoped to the caller (a clinician sees their schedule, a patient their
 * appointments, admins any; compliance none). Returns up to `limit` rows.
 */
export async function listAppointments(
  ports: AppointmentsPorts,
  ctx: RequestContext,
  q: ListInput,
): Promise<Appointment[]> {
  const p = ctx.principal;
  const query: ListQuery = { limit: q.limit };
  if (p.role === 'compliance') throw new AppError('FORBIDDEN', 'Appointments are not for compliance');
  if (p.role === 'clinician') {
    if (q.clinicianId && q.clinicianId !== p.userId)
      throw new AppError('FORBIDDEN', "You may not see another clinician's schedule");
    query.clinicianId = p.userId;
    if (q.patientId) query.patientId = q.patientId;
  } else if (p.role === 'patient') {
    if (q.patientId && q.patientId !== p.userId)
      throw new AppError('FORBIDDEN', "You may not see another patient's appointments");
    query.patientId = p.userId;
    if (q.clinicianId) query.clinicianId = q.clinicianId;
  } else {
    if (q.clinicianId) query.clinicianId = q.clinicianId;
    if (q.patientId) query.patientId = q.patientId;
  }
  if (q.from) query.from = q.from;
  if (q.to) query.to = q.to;
  if (q.status) query.status = q.status;
  if (q.after) query.after = q.after;
  return ports.appointments.list(query);
}
