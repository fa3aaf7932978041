import { AppError } from '@medvault/common/errors';
import type { AppointmentsPorts } from '../domain/ports.js';
import type { ScheduleSettings } from '../domain/schedule.js';
import { isTimeZone, minutesOf } from '../domain/time.js';
import type { RequestContext } from './emit.js';
import { invalid, requireClinician, settingsFor } from './schedule.js';

function checkSettings(s: ScheduleSettings) {
  if (!isTimeZone(s.timeZone)) throw invalid([{ field: 'timeZone', message: 'is not a known IANA time zone' }]);
  if (minutesOf(s.workEnd) <= minutesOf(s.workStart))
    throw invalid([{ field: 'workEnd', message: 'must be after workStart' }]);
  if (s.maxMinutes < s.minMinutes) throw invalid([{ field: 'maxMinutes', message: 'must be at least minMinutes' }]);
}

/**
 * PUT /v1/clinicians/:id/schedule (an admin or the clinician): the clinician's own values over
 * the defaults, checked whole.
 */
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
