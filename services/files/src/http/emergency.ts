import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { EMERGENCY_REASON_MIN_LENGTH, principalOf } from '@medvault/common/auth';
import { idPattern } from '@medvault/common/ids';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { listEmergencyGrants } from '../app/list-emergency-grants.js';
import { openEmergencyGrant } from '../app/open-emergency-grant.js';
import type { Deps } from '../deps.js';
import type { GrantRecord } from '../domain/ports.js';
import { metaOf } from './request-meta.js';

const GrantBody = Type.Object(
  {
    patientId: Type.String({ pattern: idPattern('user') }),
    reason: Type.String({ minLength: EMERGENCY_REASON_MIN_LENGTH, maxLength: 1000 }),
  },
  { additionalProperties: false },
);
const Grant = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  patientId: Type.String(),
  reason: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
});
const toApi = (g: GrantRecord) => ({
  id: g._id,
  userId: g.userId,
  patientId: g.patientId,
  reason: g.reason,
  createdAt: g.createdAt.toISOString(),
  expiresAt: g.expiresAt.toISOString(),
});

/** Break-glass grants (the rules: app/open-emergency-grant.ts). */
export async function emergencyRoutes(root: FastifyInstance, { deps }: { deps: Deps }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preHandler', app.authenticate);

  app.post('/v1/emergency-access', { schema: { body: GrantBody, response: { 201: Grant } } }, async (req, reply) => {
    const p = principalOf(req);
    const grant = await openEmergencyGrant(deps, p, req.body, metaOf(req, p), (err, grantId) =>
      req.log.warn({ err, grantId }, 'emergency grant left pending: its event could not be published'),
    );
    req.log.warn({ grantId: grant._id, patientId: grant.patientId }, 'emergency access granted');
    return reply.code(201).send(toApi(grant));
  });

  app.get(
    '/v1/emergency-access',
    { schema: { response: { 200: Type.Object({ items: Type.Array(Grant) }) } } },
    async (req) => {
      return { items: (await listEmergencyGrants(deps, principalOf(req))).map(toApi) };
    },
  );
}
