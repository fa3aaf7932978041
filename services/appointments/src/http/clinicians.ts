import { AppError } from '@medvault/common/errors';
import type { BaseApp } from '@medvault/common/http';
import type { Routed } from '../deps.js';
import { freeSlots, type ScheduleSettings } from '../domain/schedule.js';
import { isCalendarDate, isTimeZone, minutesOf } from '../domain/time.js';
import { contextOf } from './context.js';
import { Availability, AvailabilityQuery, ClinicianParams, ScheduleBody, ScheduleView } from './schemas.js';

type Wired = Routed;

const fieldError = (field: string, message: string) =>
  new AppError('VALIDATION_FAILED', `${field} ${message}`, { details: { errors: [{ field, message }] } });

function checkSettings(s: ScheduleSettings) {
  if (!isTimeZone(s.timeZone)) throw fieldError('timeZone', 'is not a known IANA time zone');
  if (minutesOf(s.workEnd) <= minutesOf(s.workStart)) throw fieldError('workEnd', 'must be after workStart');
  if (s.maxMinutes < s.minMinutes) throw fieldError('maxMinutes', 'must be at least minMinutes');
}

export function clinicianRoutes(app: BaseApp, w: Wired, now: () => Date) {
  // onRequest: an anonymous caller gets 401 before its body is even validated.
  const auth = { onRequest: app.authenticate };

  async function requireClinician(id: string) {
    const u = await w.users.get(id);
    if (u?.role !== 'clinician' || !u.active) throw new AppError('NOT_FOUND', 'Clinician not found');
  }

  // Free slots only (no appointment details): any signed-in user may look, patients need it to book.
  app.get(
    '/v1/clinicians/:id/availability',
    { ...auth, schema: { params: ClinicianParams, querystring: AvailabilityQuery, response: { 200: Availability } } },
    async (req) => {
      const { date } = req.query;
      if (!isCalendarDate(date)) throw fieldError('date', 'is not a calendar date (YYYY-MM-DD)');
      if (req.query.tz && !isTimeZone(req.query.tz)) throw fieldError('tz', 'is not a known IANA time zone');
      await requireClinician(req.params.id);
      const [settings, state] = await Promise.all([
        w.booking.settingsFor(req.params.id),
        w.schedules.load(req.params.id),
      ]);
      const tz = req.query.tz ?? settings.timeZone;
      const slots = freeSlots(settings, date, tz, state.booked, now());
      return {
        clinicianId: req.params.id,
        date,
        timeZone: tz,
        slotMinutes: settings.slotMinutes,
        slots: slots.map((s) => ({ start: s.start.toISOString(), end: s.end.toISOString() })),
      };
    },
  );

  app.get(
    '/v1/clinicians/:id/schedule',
    { ...auth, schema: { params: ClinicianParams, response: { 200: ScheduleView } } },
    async (req) => {
      await requireClinician(req.params.id);
      return { clinicianId: req.params.id, ...(await w.booking.settingsFor(req.params.id)) };
    },
  );

  app.put(
    '/v1/clinicians/:id/schedule',
    { ...auth, schema: { params: ClinicianParams, body: ScheduleBody, response: { 200: ScheduleView } } },
    async (req) => {
      const p = contextOf(req).principal;
      if (p.role !== 'admin' && !(p.role === 'clinician' && p.userId === req.params.id)) {
        throw new AppError('FORBIDDEN', 'Only an admin or the clinician may change this schedule');
      }
      await requireClinician(req.params.id);
      const current = await w.schedules.load(req.params.id);
      const override = { ...current.settings, ...req.body };
      const merged = { ...(await w.booking.settingsFor(req.params.id)), ...req.body };
      checkSettings(merged);
      await w.schedules.saveSettings(req.params.id, override);
      req.log.info({ clinicianId: req.params.id }, 'clinician schedule updated');
      return { clinicianId: req.params.id, ...merged };
    },
  );
}
