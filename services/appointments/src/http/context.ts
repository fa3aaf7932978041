import { principalOf } from '@medvault/common/auth';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../app/emit.js';
import type { Appointment } from '../domain/ports.js';

export function contextOf(req: FastifyRequest): RequestContext {
  // The client address from the verified gateway assertion, never a request header.
  const ip = req.clientIp;
  const ua = req.headers['user-agent'];
  return { principal: principalOf(req), correlationId: req.id, ip, ...(ua ? { userAgent: ua } : {}) };
}

/** The reason is PHI: only the two parties see it (admins manage schedules, not care). */
export function view(a: Appointment, ctx: RequestContext) {
  const party = ctx.principal.userId === a.clinicianId || ctx.principal.userId === a.patientId;
  return {
    id: a.id,
    clinicianId: a.clinicianId,
    patientId: a.patientId,
    start: a.start.toISOString(),
    end: a.end.toISOString(),
    status: a.status,
    // Confirmed by the patient (booked by them, or accepted): only then does it confer care.
    confirmed: a.confirmedAt !== undefined,
    ...(a.confirmedAt ? { confirmedAt: a.confirmedAt.toISOString() } : {}),
    ...(party && a.reason ? { reason: a.reason } : {}),
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
    ...(a.cancelledAt ? { cancelledAt: a.cancelledAt.toISOString() } : {}),
  };
}
