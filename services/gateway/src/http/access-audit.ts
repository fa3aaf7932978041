import { AppError } from '@medvault/common/errors';
import { createEvent } from '@medvault/common/events';
import { IdPrefixes } from '@medvault/common/ids';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Deps } from '../deps.js';
import { matchPublicRoute } from '../docs/route-match.js';
import { actorOf } from './context.js';
import { clientRequestIdOf } from './request-id.js';

const REF = /^[a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}$/;
const KIND_OF_PREFIX = new Map<string, string>(Object.entries(IdPrefixes).map(([kind, prefix]) => [prefix, kind]));
const QUIET = /^\/(health|metrics|docs)(\/|$)/;

/** What a request touched, from its route params (and a patientId filter), when the ids are well-formed. */
function resourceOf(params: Record<string, unknown>, query: unknown) {
  const out: { resourceType?: string; resourceId?: string; patientId?: string } = {};
  const id = params.id;
  if (typeof id === 'string' && REF.test(id)) {
    out.resourceId = id;
    out.resourceType = KIND_OF_PREFIX.get(id.slice(0, 3)) ?? 'unknown';
  }
  const patient = params.patientId ?? (query as Record<string, unknown> | undefined)?.patientId;
  if (typeof patient === 'string' && REF.test(patient)) out.patientId = patient;
  return out;
}

function routeOf(req: FastifyRequest) {
  const path = req.url.split('?')[0] ?? '/';
  const pattern = req.routeOptions.url;
  if (pattern && !pattern.endsWith('*'))
    return { route: pattern, params: (req.params ?? {}) as Record<string, unknown> };
  const doc = matchPublicRoute(req.method, path);
  return doc ? { route: doc.pattern, params: doc.params } : { route: pattern ?? 'unmatched', params: {} };
}

/**
 * Every request leaves an access-audit event (request.completed: who, role, what, outcome,
 * from where, request id), and a policy refusal also an access.denied. Both are queued and
 * published in the background: the request path never waits for the bus.
 */
async function accessAudit(app: FastifyInstance, { deps }: { deps: Deps }) {
  app.addHook('onError', async (req, _reply, err) => {
    if (AppError.is(err) && err.code === 'FORBIDDEN') {
      req.deniedReason = String(err.details?.reason ?? err.message).slice(0, 200);
    }
  });
  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    if (QUIET.test(req.url)) return;
    // A refused anonymous flood is audited once per source and window (anonymous-limit.ts).
    if (req.anonymousLimited) return;
    try {
      const { route, params } = routeOf(req);
      const meta = { correlationId: req.id, source: 'gateway', actor: actorOf(req) };
      const resource = resourceOf(params, req.query);
      const clientRequestId = clientRequestIdOf(req.raw);
      deps.events.enqueue(
        createEvent(
          'request.completed',
          {
            method: req.method,
            route,
            status: reply.statusCode,
            durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
            ...resource,
            ...(clientRequestId ? { clientRequestId } : {}),
          },
          meta,
        ),
      );
      // Every refusal the gateway serves is an access.denied, including an internal service's
      // policy refusal (403) streamed back through the proxy.
      const denied = req.deniedReason ?? (reply.statusCode === 403 ? 'refused by the service policy' : undefined);
      if (denied) {
        deps.events.enqueue(
          createEvent('access.denied', { reason: denied, method: req.method, route, ...resource }, meta),
        );
      }
    } catch (err) {
      req.log.error({ err }, 'access audit event not recorded');
    }
  });
}

export const accessAuditPlugin = fp(accessAudit, { name: 'gateway-access-audit' });
