import { type CareState, careState } from '../domain/care.js';
import type { AppointmentsPorts, PendingCareEnd } from '../domain/ports.js';
import { emit, type RequestContext } from './emit.js';

/**
 * The care relationship, recomputed from its legitimate sources (patient-confirmed appointments,
 * admin assignments) whenever one of them changes, and published as care.relationship_started /
 * care.relationship_ended for the services that enforce it (files). Never derived from the mere
 * existence of an appointment: a clinician's own booking is not a source. Schedules a re-check
 * for when the appointment basis lapses. Consumers upsert: publishing an unchanged state is harmless.
 */
export async function syncCare(
  ports: AppointmentsPorts,
  pair: PendingCareEnd,
  ctx: RequestContext | undefined,
  appointmentId?: string,
): Promise<CareState> {
  const now = ports.clock.now();
  const graceMs = ports.settings.graceHours * 3600_000;
  const [confirmedEnds, assigned] = await Promise.all([
    ports.appointments.confirmedEnds(pair.clinicianId, pair.patientId, new Date(now.getTime() - graceMs)),
    ports.assignments.isAssigned(pair),
  ]);
  const state = careState({ confirmedEnds, assigned }, graceMs, now);
  if (state.recheckAt) await ports.careEnds.schedule(pair, state.recheckAt);
  else await ports.careEnds.cancel(pair);
  if (state.inCare) {
    const ref = appointmentId && state.basis === 'appointment' ? { appointmentId } : {};
    await emit(ports.publisher, ctx, 'care.relationship_started', { ...pair, ...ref, basis: state.basis! });
  } else {
    await emit(ports.publisher, ctx, 'care.relationship_ended', pair);
  }
  return state;
}
