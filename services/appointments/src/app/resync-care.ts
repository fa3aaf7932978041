import type { AppointmentsPorts } from '../domain/ports.js';
import { syncCare } from './sync-care.js';

/**
 * Re-publishes the care state of every pair that has an appointment or an assignment, so the
 * consumers' projections drop care granted by the rule this replaced (issue 14 #2: every booking,
 * even a clinician's own, used to start care). Idempotent; run once after deploying.
 */
export async function resyncAllCare(ports: AppointmentsPorts): Promise<{ pairs: number; inCare: number }> {
  const done = new Set<string>();
  let inCare = 0;
  for (const source of [ports.appointments.pairs(), ports.assignments.pairs()]) {
    for await (const pair of source) {
      const key = `${pair.clinicianId}:${pair.patientId}`;
      if (done.has(key)) continue;
      done.add(key);
      if ((await syncCare(ports, pair, undefined)).inCare) inCare++;
    }
  }
  return { pairs: done.size, inCare };
}
