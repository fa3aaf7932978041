import type { BaseApp } from '@medvault/common/http';
import { getAvailability } from '../app/get-availability.js';
import { getSchedule } from '../app/get-schedule.js';
import { updateSchedule } from '../app/update-schedule.js';
import type { AppointmentsPorts } from '../domain/ports.js';
import { contextOf } from './context.js';
import { Availability, AvailabilityQuery, ClinicianParams, ScheduleBody, ScheduleView } from './schemas.js';

export function clinicianRoutes(app: BaseApp, ports: AppointmentsPorts) {
  // onRequest: an anonymous caller gets 401 before its body is even validated.
  const auth = { onRequest: app.authenticate };

  // Free slots only (no appointment details): any signed-in user may look, patients need it to book.
  app.get(
    '/v1/clinicians/:id/availability',
    { ...auth, schema: { params: ClinicianParams, querystring: AvailabilityQuery, response: { 200: Availability } } },
    async (req) => {
      const a = await getAvailability(ports, req.params.id, req.query);
      return {
        clinicianId: req.params.id,
        date: req.query.date,
        timeZone: a.timeZone,
        slotMinutes: a.slotMinutes,
        slots: a.slots.map((s) => ({ start: s.start.toISOString(), end: s.end.toISOString() })),
      };
    },
  );

  app.get(
    '/v1/clinicians/:id/schedule',
    { ...auth, schema: { params: ClinicianParams, response: { 200: ScheduleView } } },
    async (req) => ({ clinicianId: req.params.id, ...(await getSchedule(ports, req.params.id)) }),
  );

  app.put(
    '/v1/clinicians/:id/schedule',
    { ...auth, schema: { params: ClinicianParams, body: ScheduleBody, response: { 200: ScheduleView } } },
    async (req) => {
      const merged = await updateSchedule(ports, contextOf(req), req.params.id, req.body);
      req.log.info({ clinicianId: req.params.id }, 'clinician schedule updated');
      return { clinicianId: req.params.id, ...merged };
    },
  );
}
