import type { Actor } from '@medvault/common/events';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../domain/users.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when a gateway policy check refused the request: becomes an access.denied event. */
    deniedReason?: string;
    /** Who the request turned out to be when it carried no token (a successful login). */
    auditActor?: { userId: string; role: Actor['role'] };
    /** Refused by the anonymous per-source limit: audited in aggregate, not one record each. */
    anonymousLimited?: boolean;
  }
}

export function userAgentOf(req: FastifyRequest): string | undefined {
  const ua = req.headers['user-agent'];
  return typeof ua === 'string' ? ua.slice(0, 512) : undefined;
}

/** The envelope actor for a request: the verified principal, or anonymous with its origin. */
export function actorOf(req: FastifyRequest): Actor {
  const who = req.principal ?? req.auditActor;
  const ua = userAgentOf(req);
  return {
    ...(who ? { userId: who.userId, role: who.role } : { userId: 'anonymous', role: 'system' as const }),
    ip: req.ip,
    ...(ua ? { userAgent: ua } : {}),
  };
}

export function contextOf(req: FastifyRequest): RequestContext & { ip: string } {
  return { requestId: req.id, actor: actorOf(req), ip: req.ip };
}
