import type { AppointmentsPorts } from '../domain/ports.js';
import { syncCare } from './sync-care.js';

/** One pass of the care job: pairs whose appointment basis lapsed are re-checked (and ended if nothing else holds). */
export async function endDueCare(ports: AppointmentsPorts, limit = 50): Promise<number> {
  let ended = 0;
  for (const pair of await ports.careEnds.claimDue(ports.clock.now(), 60_000, limit)) {
    if (!(await syncCare(ports, pair, undefined)).inCare) ended++;
  }
  return ended;
}
