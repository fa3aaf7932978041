import { principalOf } from '@medvault/common/auth';
import type { FastifyRequest } from 'fastify';
import type { Caller } from '../domain/ports.js';

/** The caller as the use cases see it; the Authorization header is kept to call files as them. */
export function callerOf(req: FastifyRequest): Caller {
  const ua = req.headers['user-agent'];
  return {
    principal: principalOf(req),
    authorization: req.headers.authorization ?? '',
    requestId: req.id,
    // The client address from the verified gateway assertion, never a request header.
    ...(req.clientIp ? { ip: req.clientIp } : {}),
    ...(ua ? { userAgent: ua } : {}),
  };
}
