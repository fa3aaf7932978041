import type { Principal } from '@medvault/common/auth';
import type { FastifyRequest } from 'fastify';
import type { EventMeta } from '../domain/events.js';

/** The caller of a request, as recorded in the events it causes. */
export function metaOf(req: FastifyRequest, p: Principal): EventMeta {
  const ua = req.headers['user-agent'];
  // The client address from the verified gateway assertion, never a request header.
  const ip = req.clientIp;
  return {
    correlationId: req.id,
    actor: {
      userId: p.userId,
      role: p.role,
      ...(ip ? { ip } : {}),
      ...(typeof ua === 'string' ? { userAgent: ua.slice(0, 512) } : {}),
    },
  };
}
