import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { principalOf } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { runChecks } from '@medvault/common/http';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { fetchReadiness } from '../adapters/readiness-probe.js';
import { serviceHealth } from '../app/service-health.js';
import type { Deps } from '../deps.js';

const problem = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
};

export const ServiceHealthList = Type.Object({
  checkedAt: Type.String({ format: 'date-time' }),
  items: Type.Array(
    Type.Object({
      name: Type.String(),
      status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
      down: Type.Array(Type.String(), { description: 'names of the dependencies that are down (e.g. "redis")' }),
      latencyMs: Type.Integer({ minimum: 0 }),
    }),
  ),
});

/**
 * GET /v1/admin/health (admin): every service's readiness at a glance, for the console. The
 * unauthenticated /health/ready says up or down only; this names the services and their failing
 * dependencies, never addresses or error text (those stay on the operators' listener and logs).
 */
export async function adminHealthRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.addHook('onRequest', app.authenticate);
  r.get(
    '/v1/admin/health',
    {
      schema: {
        tags: ['admin'],
        summary: "Each service's readiness (admin)",
        response: { 200: ServiceHealthList, 401: problem, 403: problem },
      },
    },
    async (req) => {
      if (principalOf(req).role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins read service health');
      const t0 = performance.now();
      const [own, others] = await Promise.all([
        runChecks(deps.checks),
        serviceHealth({ ...deps.upstreams, ...deps.healthTargets }, fetchReadiness),
      ]);
      const gateway = {
        name: 'gateway',
        status: own.ok ? ('up' as const) : ('down' as const),
        down: own.down,
        latencyMs: Math.round(performance.now() - t0),
      };
      return { checkedAt: new Date().toISOString(), items: [gateway, ...others] };
    },
  );
}
