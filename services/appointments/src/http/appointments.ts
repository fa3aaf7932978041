import { AppError } from '@medvault/common/errors';
import type { BaseApp } from '@medvault/common/http';
import type { Routed } from '../deps.js';
import type { ListQuery as StoreQuery } from '../domain/ports.js';
import { parseInstant } from '../domain/schedule.js';
import { contextOf, view } from './context.js';
import { AppointmentList, AppointmentView, BookBody, IdParams, ListQuery, RescheduleBody } from './schemas.js';

type Wired = Routed;

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

export function appointmentRoutes(app: BaseApp, w: Wired) {
  // onRequest: an anonymous caller gets 401 before its body is even validated.
  const auth = { onRequest: app.authenticate };

  app.post(
    '/v1/appointments',
    { ...auth, schema: { body: BookBody, response: { 201: AppointmentView } } },
    async (req, reply) => {
      const ctx = contextOf(req);
      const appt = await w.booking.book(ctx, req.body);
      req.log.info({ appointmentId: appt.id, clinicianId: appt.clinicianId }, 'appointment booked');
      return reply.status(201).send(view(appt, ctx));
    },
  );

  app.get(
    '/v1/appointments',
    { ...auth, schema: { querystring: ListQuery, response: { 200: AppointmentList } } },
    async (req) => {
      const ctx = contextOf(req);
      const p = ctx.principal;
      const q = req.query;
      const query: StoreQuery = { limit: q.limit + 1 };
      if (p.role === 'compliance') throw new AppError('FORBIDDEN', 'Appointments are not for compliance');
      if (p.role === 'clinician') {
        if (q.clinicianId && q.clinicianId !== p.userId)
          throw new AppError('FORBIDDEN', "You may not see another clinician's schedule");
        query.clinicianId = p.userId;
        if (q.patientId) query.patientId = q.patientId;
      } else if (p.role === 'patient') {
        if (q.patientId && q.patientId !== p.userId)
          throw new AppError('FORBIDDEN', "You may not see another patient's appointments");
        query.patientId = p.userId;
        if (q.clinicianId) query.clinicianId = q.clinicianId;
      } else {
        if (q.clinicianId) query.clinicianId = q.clinicianId;
        if (q.patientId) query.patientId = q.patientId;
      }
      const from = instantParam('from', q.from);
      const to = instantParam('to', q.to);
      if (from) query.from = from;
      if (to) query.to = to;
      if (q.status) query.status = q.status;
      if (q.cursor) query.after = decodeCursor(q.cursor);
      const rows = await w.appointments.list(query);
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
      return view(await w.booking.get(ctx, req.params.id), ctx);
    },
  );

  app.patch(
    '/v1/appointments/:id',
    { ...auth, schema: { params: IdParams, body: RescheduleBody, response: { 200: AppointmentView } } },
    async (req) => {
      const ctx = contextOf(req);
      const appt = await w.booking.reschedule(ctx, req.params.id, req.body);
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
      const appt = await w.booking.confirm(ctx, req.params.id);
      req.log.info({ appointmentId: appt.id }, 'appointment confirmed');
      return view(appt, ctx);
    },
  );

  app.post(
    '/v1/appointments/:id/cancel',
    { ...auth, schema: { params: IdParams, response: { 200: AppointmentView } } },
    async (req) => {
      const ctx = contextOf(req);
      const appt = await w.booking.cancel(ctx, req.params.id);
      req.log.info({ appointmentId: appt.id }, 'appointment cancelled');
      return view(appt, ctx);
    },
  );
}
