import { canOnAppointment } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import type { AppointmentsPorts } from '../domain/ports.js';
import { emit, type RequestContext } from './emit.js';
import { getAppointment } from './get-appointment.js';
import { iso, withSchedule } from './schedule.js';
import { syncCare } from './sync-care.js';

/** POST /v1/appointments/:id/cancel: idempotent; the cancellation is emitted once. */
export async function cancelAppointment(ports: AppointmentsPorts, ctx: RequestContext, id: string) {
  const appt = await getAppointment(ports, ctx, id);
  if (!canOnAppointment(ctx.principal, 'appointment:modify', appt).allowed)
    throw new AppError('FORBIDDEN', 'You may not modify this appointment');
  if (appt.status !== 'booked') return appt; // idempotent: no second event
  const now = ports.clock.now();
  // The schedule CAS decides which of several concurrent cancels wins: only the one that
  // removed the interval goes on, so the cancellation is emitted once.
  const removed = await withSchedule(ports, appt.clinicianId, (booked) =>
    booked.some((b) => b.appointmentId === id) ? booked.filter((b) => b.appointmentId !== id) : null,
  );
  const cancelled = (await ports.appointments.cancel(id, now)) ?? (await getAppointment(ports, ctx, id));
  if (!removed) return cancelled;
  const pair = { clinicianId: appt.clinicianId, patientId: appt.patientId };
  await emit(ports.publisher, ctx, 'appointment.cancelled', {
    appointmentId: id,
    ...pair,
    start: iso(appt.start),
    end: iso(appt.end),
  });
  // A cancelled appointment confers nothing (CONTRACT.md): care ends now unless another source holds.
  if (appt.confirmedAt) await syncCare(ports, pair, ctx);
  return cancelled;
}
