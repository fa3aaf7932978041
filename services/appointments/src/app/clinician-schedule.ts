import { AppError } from '@medvault/common/errors';
import type { AppointmentsPorts } from '../domain/ports.js';
import { freeSlots, type ScheduleSettings } from '../domain/schedule.js';
import { isCalendarDate, isTimeZone, minutesOf } from '../domain/time.js';
import type { RequestContext } from './emit.js';
import { settingsFor } from './schedule.js';

/**
 * A clinician's schedule: free slots (any signed-in user: patients need them to book), the
 * settings, and their change (an admin or the clinician). Three small use cases on one document.
 */

const fieldError = (field: string, message: string) =>
  new AppError('VALIDATION_FAILED', `${field} ${message}`, { details: { errors: [{ field, message }] } });

async function requireClinician(ports: AppointmentsPorts, id: string) {
  const u = await ports.users.get(id);
  if (u?.role !== 'clinician' || !u.active) throw new AppError('NOT_FOUND', 'Clinician not found');
}

function checkSettings(s: ScheduleSettings) {
  if (!isTimeZone(s.timeZone)) throw fieldError('timeZone', 'is not a known IANA time zone');
  if (minutesOf(s.workEnd) <= minutesOf(s.workStart)) throw fieldError('workEnd', 'must be after workStart');
  if (s.maxMinutes < s.minMinutes) throw fieldError('maxMinutes', 'must be at least minMinutes');
}

/** GET /v1/clinicians/:id/availability: free slots only, no appointment details. */
export async function getAvailability(
  ports: AppointmentsPorts,
  clinicianId: string,
  q: { date: string; tz?: string | undefined },
) {
  if (!isCalendarDate(q.date)) throw fieldError('date', 'is not a calendar date (YYYY-MM-DD)');
  if (q.tz && !isTimeZone(q.tz)) throw fieldError('tz', 'is not a known IANA time zone');
  await requireClinician(ports, clinicianId);
  const [settings, state] = await Promise.all([settingsFor(ports, clinicianId), ports.schedules.load(clinicianId)]);
  const timeZone = q.tz ?? settings.timeZone;
  const slots = freeSlots(settings, q.date, timeZone, state.booked, ports.clock.now());
  return { timeZone, slotMinutes: settings.slotMinutes, slots };
}

/** GET /v1/clinicians/:id/schedule. */
export async function getSchedule(ports: AppointmentsPorts, clinicianId: string): Promise<ScheduleSettings> {
  await requireClinician(ports, clinicianId);
  return settingsFor(ports, clinicianId);
}

/** PUT /v1/clinicians/:id/schedule: the clinician's own values over the defaults, checked whole. */
export async function updateSchedule(
  ports: AppointmentsPorts,
  ctx: RequestContext,
  clinicianId: string,
  change: Partial<ScheduleSettings>,
): Promise<ScheduleSettings> {
  const p = ctx.principal;
  if (p.role !== 'admin' && !(p.role === 'clinician' && p.userId === clinicianId)) {
    throw new AppError('FORBIDDEN', 'Only an admin or the clinician may change this schedule');
  }
  await requireClinician(ports, clinicianId);
  const current = await ports.schedules.load(clinicianId);
  const override = { ...current.settings, ...change };
  const merged = { ...(await settingsFor(ports, clinicianId)), ...change };
  checkSettings(merged);
  await ports.schedules.saveSettings(clinicianId, override);
  return merged;
}
