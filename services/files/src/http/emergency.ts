import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { canOpenEmergencyGrant, EMERGENCY_REASON_MIN_LENGTH, enforce, principalOf } from '@medvault/common/auth';
import { AppError, dependencyUnavailable } from '@medvault/common/errors';
import { idPattern, newId } from '@medvault/common/ids';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { event } from '../domain/events.js';
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

/**
 * Break-glass (HIPAA 164.312(a)(2)(ii)): a clinician or admin opens a time-boxed grant to one
 * patient's files by stating a reason. The grant only works once access.emergency_granted is
 * published (audit records it, notify tells compliance), so no emergency read goes unrecorded.
 */
export async function emergencyRoutes(root: FastifyInstance, { deps }: { deps: Deps }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preHandler', app.authenticate);

  app.post('/v1/emergency-access', { schema: { body: GrantBody, response: { 201: Grant } } }, async (req, reply) => {
    const p = principalOf(req);
    const { patientId } = req.body;
    const reason = req.body.reason.trim();
    enforce(canOpenEmergencyGrant(p, { patientId, reason }), 'Break-glass is not allowed');
    // Only a patient the user projection knows: a grant to an unknown id would be an audited,
    // compliance-notified incident about nobody (and a way to pre-arm access to a future id).
    const target = await deps.projections.getUser(patientId);
    if (!target || target.role !== 'patient')
      throw new AppError('UNPROCESSABLE', 'Emergency access is granted to an existing patient’s files only', {
        retryable: !target,
        details: { field: 'patientId', reason: target ? 'not_a_patient' : 'unknown_user' },
      });
    const now = deps.clock.now();
    const grant: GrantRecord = {
      _id: newId('grant'),
      userId: p.userId,
      patientId,
      reason,
      createdAt: now,
      expiresAt: new Date(now.getTime() + deps.config.EMERGENCY_ACCESS_MINUTES * 60_000),
      state: 'pending',
    };
    await deps.grants.insert(grant);
    const e = event(
      deps.clock,
      'access.emergency_granted',
      { grantId: grant._id, patientId, reason, expiresAt: grant.expiresAt.toISOString() },
      metaOf(req, p),
    );
    try {
      await deps.publisher.publish(e);
    } catch (err) {
      req.log.warn({ err, grantId: grant._id }, 'emergency grant left pending: its event could not be published');
      throw dependencyUnavailable('event bus', err);
    }
    await deps.grants.activate(grant._id);
    req.log.warn({ grantId: grant._id, patientId }, 'emergency access granted');
    return reply.code(201).send(toApi(grant));
  });

  app.get(
    '/v1/emergency-access',
    { schema: { response: { 200: Type.Object({ items: Type.Array(Grant) }) } } },
    async (req) => {
      const p = principalOf(req);
      return { items: (await deps.grants.activeFor(p.userId, deps.clock.now())).map(toApi) };
    },
  );
}
