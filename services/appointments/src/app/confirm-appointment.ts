import { AppError } from '@medvault/common/errors';
import { confirmsBySelf } from '../domain/care.js';
import type { Appointment, AppointmentsPorts } from '../domain/ports.js';
import { emit, type RequestContext } from './emit.js';
import { getAppointment } from './get-appointment.js';
import { iso } from './schedule.js';
import { syncCare } from './sync-care.js';

/** The patient accepts an appointment someone else booked for them: from now on it confers care. */
export async function confirmAppointment(
  ports: AppointmentsPorts,
  ctx: RequestContext,
  id: string,
): Promise<Appointment> {
  const appt = await getAppointment(ports, ctx, id);
  if (!confirmsBySelf(ctx.principal.userId, appt))
    throw new AppError('FORBIDDEN', 'Only the patient may confirm an appointment');
  if (appt.status !== 'booked') throw new AppError('CONFLICT', 'A cancelled appointment cannot be confirmed');
  if (appt.confirmedAt) return appt; // idempotent: no second event
  const now = ports.clock.now();
  if (appt.end <= now) throw new AppError('CONFLICT', 'An appointment that has ended cannot be confirmed');
  const confirmed = await ports.appointments.confirm(id, now);
  if (!confirmed) return getAppointment(ports, ctx, id); // cancelled or confirmed meanwhile
  const pair = { clinicianId: appt.clinicianId, patientId: appt.patientId };
  await emit(ports.publisher, ctx, 'appointment.confirmed', {
    appointmentId: id,
    ...pair,
    start: iso(confirmed.start),
    end: iso(confirmed.end),
  });
  await syncCare(ports, pair, ctx, id);
  return confirmed;
}
