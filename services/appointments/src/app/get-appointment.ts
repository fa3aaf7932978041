import { canOnAppointment } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import type { Appointment, AppointmentsPorts } from '../domain/ports.js';
import type { RequestContext } from './emit.js';

/** GET /v1/appointments/:id: the pair, and admins, read it; anyone else gets 404. */
export async function getAppointment(ports: AppointmentsPorts, ctx: RequestContext, id: string): Promise<Appointment> {
  const appt = await ports.appointments.get(id);
  if (!appt || !canOnAppointment(ctx.principal, 'appointment:read', appt).allowed) {
    // 404 for others' appointments too: an id must not reveal that an appointment exists.
    throw new AppError('NOT_FOUND', 'Appointment not found');
  }
  return appt;
}
