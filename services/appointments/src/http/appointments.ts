import { AppError } from '@medvault/common/errors';
import type { BaseApp } from '@medvault/common/http';
import { bookAppointment } from '../app/book-appointment.js';
import { cancelAppointment } from '../app/cancel-appointment.js';
import { confirmAppointment } from '../app/confirm-appointment.js';
import { getAppointment } from '../app/get-appointment.js';
import { listAppointments } from '../app/list-appointments.js';
import { rescheduleAppointment } from '../app/reschedule-appointment.js';
import type { AppointmentsPorts } from '../domain/ports.js';
import { parseInstant } from '../domain/schedule.js';
import { contextOf, view } from './context.js';
import { AppointmentList, AppointmentView, BookBody, IdParams, ListQuery, RescheduleBody } from './schemas.js';

const encodeCursor = (start: Date, id: string) =>
  Buffer.from(JSON.stringify({ s: start.toISOString(), i: id })).toString('base64url');
function decodeCursor(cursor: string): { start: Date; id: string } {
  try {
    const { s, i } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s: string; i: string };
    const start = new Date(s);
    if (typeof i !== 'string' || Number.isNaN(start.getTime())) throw new Error('bad cursor');
    return { start, id: i };
  } catch {
    throw new AppError('VALIDATION_FAILED', 'cursor is invalid', {
      details: { errors: [{ field: 'cursor', message: 'invalid' }] },
    });
  }
}

function instantParam(field: string, v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const d = parseInstant(v);
  if (!d)
    throw new AppError('VALIDATION_FAILED', `${field} must be an ISO 8601 date-time with an offset`, {
      details: { errors: [{ field, message: 'invalid date-time' }] },
    });
  return d;
}

export function appointmentRoutes(app: BaseApp, ports: AppointmentsPorts) {
  // onRequest: an anonymous caller gets 401 before its body is even validated.
  const auth = { onRequest: app.authenticate };

  app.post(
    '/v1/appointments',
    { ...auth, schema: { body: BookBody, response: { 201: AppointmentView } } },
    async (req, reply) => {
      const ctx = contextOf(req);
      const appt = await bookAppointment(ports, ctx, req.body);
      req.log.info({ appointmentId: appt.id, clinicianId: appt.clinicianId }, 'appointment booked');
      return reply.status(201).send(view(appt, ctx));
    },
  );

  app.get(
    '/v1/appointments',
    { ...auth, schema: { querystring: ListQuery, response: { 200: AppointmentList } } },
    async (req) => {
      const ctx = contextOf(req);
      const q = req.query;
      const rows = await listAppointments(ports, ctx, {
        clinicianId: q.clinicianId,
        patientId: q.patientId,
        from: instantParam('from', q.from),
        to: instantParam('to', q.to),
        status: q.status,
        after: q.cursor ? decodeCursor(q.cursor) : undefined,
        // One more than the page: tells whether a next page exists.
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((a) => view(a, ctx)),
        nextCursor: rows.length > q.limit && last ? encodeCursor(last.start, last.id) : null,
      };
    },
  );

  app.get(
    '/v1/appointments/:id',
    { ...auth, schema: { params: IdParams, response: { 200: AppointmentView } } },
    async (req) => {
      const ctx = contextOf(req);
      return view(await getAppointment(ports, ctx, req.params.id), ctx);
    },
  );

  app.patch(
    '/v1/appointments/:id',
    { ...auth, schema: { params: IdParams, body: RescheduleBody, response: { 200: AppointmentView } } },
    async (req) => {
      const ctx = contextOf(req);
      const appt = await rescheduleAppointment(ports, ctx, req.params.id, req.body);
      req.log.info({ appointmentId: appt.id }, 'appointment rescheduled');
      return view(appt, ctx);
    },
  );

  // Only the patient: their confirmation is what turns a proposal into care (CONTRACT.md).
  app.post(
    '/v1/appointments/:id/confirm',
    { ...auth, schema: { params: IdParams, response: { 200: AppointmentView } } },
    async (req) => {
      const ctx = contextOf(req);
      const appt = await confirmAppointment(ports, ctx, req.params.id);
      req.log.info({ appointmentId: appt.id }, 'appointment confirmed');
      return view(appt, ctx);
    },
  );

  app.post(
    '/v1/appointments/:id/cancel',
    { ...auth, schema: { params: IdParams, response: { 200: AppointmentView } } },
    async (req) => {
      const ctx = contextOf(req);
      const appt = await cancelAppointment(ports, ctx, req.params.id);
      req.log.info({ appointmentId: appt.id }, 'appointment cancelled');
      return view(appt, ctx);
    },
  );
}
