import { canOnAppointment } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { newId } from '@medvault/common/ids';
import { confirmsBySelf } from '../domain/care.js';
import type { Appointment, AppointmentsPorts } from '../domain/ports.js';
import { checkInterval, overlaps } from '../domain/schedule.js';
import { emit, type RequestContext } from './emit.js';
import { checkParties, invalid, iso, parseInterval, settingsFor, withSchedule } from './schedule.js';
import { syncCare } from './sync-care.js';

export interface BookInput {
  clinicianId: string;
  patientId: string;
  start: string;
  end: string;
  reason?: string;
}

/** POST /v1/appointments: takes the slot on the clinician's schedule (CAS), then stores the appointment. */
export async function bookAppointment(ports: AppointmentsPorts, ctx: RequestContext, input: BookInput) {
  const decision = canOnAppointment(ctx.principal, 'appointment:book', input);
  if (!decision.allowed) {
    const field = ctx.principal.role === 'clinician' ? 'clinicianId' : 'patientId';
    throw new AppError('FORBIDDEN', `You may not book this appointment: ${decision.reason}`, {
      details: { errors: [{ field, message: decision.reason }] },
    });
  }
  const iv = parseInterval(input.start, input.end);
  await checkParties(ports, input.clinicianId, input.patientId);
  const now = ports.clock.now();
  const errors = checkInterval(await settingsFor(ports, input.clinicianId), iv, now);
  if (errors.length > 0) throw invalid(errors);

  const id = newId('appointment');
  await withSchedule(ports, input.clinicianId, (booked) => {
    if (booked.some((b) => overlaps(b, iv))) return undefined;
    return [...booked, { appointmentId: id, ...iv }];
  });
  const appt: Appointment = {
    id,
    clinicianId: input.clinicianId,
    patientId: input.patientId,
    start: iv.start,
    end: iv.end,
    ...(input.reason ? { reason: input.reason } : {}),
    status: 'booked',
    createdBy: ctx.principal.userId,
    // Booked by the patient: confirmed from the start. By anyone else: a proposal the patient confirms.
    ...(confirmsBySelf(ctx.principal.userId, input) ? { confirmedAt: now } : {}),
    createdAt: now,
    updatedAt: now,
  };
  try {
    await ports.appointments.insert(appt);
  } catch (err) {
    // Give the slot back: the schedule must not keep an interval without an appointment.
    await withSchedule(ports, input.clinicianId, (booked) => booked.filter((b) => b.appointmentId !== id)).catch(
      () => undefined,
    );
    throw err;
  }
  const pair = { clinicianId: appt.clinicianId, patientId: appt.patientId };
  await emit(ports.publisher, ctx, 'appointment.booked', {
    appointmentId: id,
    ...pair,
    start: iso(iv.start),
    end: iso(iv.end),
  });
  if (appt.confirmedAt) await syncCare(ports, pair, ctx, id);
  return appt;
}
