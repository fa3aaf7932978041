import { canOnAppointment } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { confirmsBySelf } from '../domain/care.js';
import type { AppointmentsPorts } from '../domain/ports.js';
import { checkInterval, overlaps } from '../domain/schedule.js';
import { emit, type RequestContext } from './emit.js';
import { getAppointment } from './get-appointment.js';
import { invalid, iso, parseInterval, settingsFor, withSchedule } from './schedule.js';
import { syncCare } from './sync-care.js';

/** PATCH /v1/appointments/:id: moves a booked appointment that has not started to a free slot. */
export async function rescheduleAppointment(
  ports: AppointmentsPorts,
  ctx: RequestContext,
  id: string,
  input: { start: string; end: string },
) {
  const appt = await getAppointment(ports, ctx, id);
  if (!canOnAppointment(ctx.principal, 'appointment:modify', appt).allowed)
    throw new AppError('FORBIDDEN', 'You may not modify this appointment');
  if (appt.status !== 'booked') throw new AppError('CONFLICT', 'Only a booked appointment can be rescheduled');
  const iv = parseInterval(input.start, input.end);
  const now = ports.clock.now();
  if (appt.start <= now) throw new AppError('CONFLICT', 'An appointment that has started cannot be rescheduled');
  const errors = checkInterval(await settingsFor(ports, appt.clinicianId), iv, now);
  if (errors.length > 0) throw invalid(errors);
  await withSchedule(ports, appt.clinicianId, (booked) => {
    const current = booked.find((b) => b.appointmentId === id);
    // Another reschedule or cancel of this appointment won the race: do not overwrite it.
    if (!current || current.start.getTime() !== appt.start.getTime() || current.end.getTime() !== appt.end.getTime()) {
      throw new AppError('CONFLICT', 'The appointment was changed meanwhile, please reload');
    }
    const others = booked.filter((b) => b.appointmentId !== id);
    if (others.some((b) => overlaps(b, iv))) return undefined;
    return [...others, { appointmentId: id, ...iv }];
  });
  // Only the patient's own move keeps their confirmation: otherwise the clinician could stretch
  // the care a confirmation gives to any date they like.
  const keep = confirmsBySelf(ctx.principal.userId, appt);
  const updated = await ports.appointments.reschedule(id, iv.start, iv.end, now, keep);
  if (!updated) throw new AppError('CONFLICT', 'The appointment was cancelled meanwhile');
  await emit(ports.publisher, ctx, 'appointment.rescheduled', {
    appointmentId: id,
    clinicianId: appt.clinicianId,
    patientId: appt.patientId,
    start: iso(iv.start),
    end: iso(iv.end),
    previousStart: iso(appt.start),
    previousEnd: iso(appt.end),
  });
  if (appt.confirmedAt) await syncCare(ports, { clinicianId: appt.clinicianId, patientId: appt.patientId }, ctx, id);
  return updated;
}
