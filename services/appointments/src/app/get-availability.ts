import type { AppointmentsPorts } from '../domain/ports.js';
import { freeSlots } from '../domain/schedule.js';
import { isCalendarDate, isTimeZone } from '../domain/time.js';
import { invalid, requireClinician, settingsFor } from './schedule.js';

/**
 * GET /v1/clinicians/:id/availability: free slots only, no appointment details (any signed-in
 * user: patients need them to book).
 */
export async function getAvailability(
  ports: AppointmentsPorts,
  clinicianId: string,
  q: { date: string; tz?: string | undefined },
) {
  if (!isCalendarDate(q.date)) throw invalid([{ field: 'date', message: 'is not a calendar date (YYYY-MM-DD)' }]);
  if (q.tz && !isTimeZone(q.tz)) throw invalid([{ field: 'tz', message: 'is not a known IANA time zone' }]);
  await requireClinician(ports, clinicianId);
  const [settings, state] = await Promise.all([settingsFor(ports, clinicianId), ports.schedules.load(clinicianId)]);
  const timeZone = q.tz ?? settings.timeZone;
  const slots = freeSlots(settings, q.date, timeZone, state.booked, ports.clock.now());
  return { timeZone, slotMinutes: settings.slotMinutes, slots };
}
