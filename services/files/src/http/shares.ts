import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { principalOf } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { idPattern } from '@medvault/common/ids';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { authorize } from '../app/access.js';
import type { Deps } from '../deps.js';
import { event } from '../domain/events.js';
import { metaOf } from './request-meta.js';
import { FileParams, NoContent, ShareBody, ShareResponse } from './schemas.js';

const ShareParams = Type.Object(
  { id: Type.String({ pattern: idPattern('file') }), userId: Type.String({ pattern: idPattern('user') }) },
  { additionalProperties: false },
);

/**
 * CONTRACT: a file is shared "to an active clinician". The user projection (fed by the
 * gateway's user.created/user.updated) is the only source of who exists here, so an id it does
 * not know is refused too, never trusted: a share to a patient, an admin or a made-up id would
 * be stored and notified. Refusals are 422 with `reason`; the projection catching up with a
 * just-created clinician is a matter of a second, so `unknown_user` is marked retryable.
 */
async function assertShareTarget(deps: Deps, userId: string): Promise<void> {
  const target = await deps.projections.getUser(userId);
  const refuse = (reason: string, message: string, retryable = false) =>
    new AppError('UNPROCESSABLE', message, { retryable, details: { field: 'userId', reason } });
  if (!target) throw refuse('unknown_user', 'No such user', true);
  if (target.role !== 'clinician') throw refuse('not_a_clinician', 'Files are shared with clinicians only');
  if (!target.active) throw refuse('inactive', 'That clinician is deactivated');
}

/** Sharing a file with another user (optionally until a date). */
export async function shareRoutes(root: FastifyInstance, { deps }: { deps: Deps }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preHandler', app.authenticate);

  app.post(
    '/v1/files/:id/shares',
    { schema: { params: FileParams, body: ShareBody, response: { 201: ShareResponse } } },
    async (req, reply) => {
      const p = principalOf(req);
      const { userId } = req.body;
      const expiresAt = req.body.expiresAt ? new Date(req.body.expiresAt) : null;
      if (expiresAt && expiresAt <= deps.clock.now())
        throw new AppError('BAD_REQUEST', 'expiresAt must be in the future', { details: { field: 'expiresAt' } });
      const f = await deps.files.mustGet(req.params.id);
      await authorize(deps, p, 'file:share', f);
      if (userId === f.ownerId || userId === p.userId)
        throw new AppError('BAD_REQUEST', 'A file cannot be shared with its owner or yourself');
      await assertShareTarget(deps, userId);
      const meta = metaOf(req, p);
      await deps.files.mutate(f._id, (cur) => ({
        set: { shares: [...cur.shares.filter((s) => s.userId !== userId), { userId, expiresAt }] },
        events: [
          event(
            deps.clock,
            'file.shared',
            {
              fileId: cur._id,
              ownerId: cur.ownerId,
              patientId: cur.patientId,
              sharedWith: userId,
              ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}),
            },
            meta,
          ),
        ],
      }));
      return reply
        .code(201)
        .send({ fileId: f._id, userId, ...(expiresAt ? { expiresAt: expiresAt.toISOString() } : {}) });
    },
  );

  const revoke = { schema: { params: ShareParams, response: { 204: NoContent } } };
  app.delete('/v1/files/:id/shares/:userId', revoke, async (req, reply) => {
    const p = principalOf(req);
    const f = await deps.files.mustGet(req.params.id);
    await authorize(deps, p, 'file:share', f);
    const { userId } = req.params;
    if (!f.shares.some((s) => s.userId === userId)) throw new AppError('NOT_FOUND', 'No share for that user');
    const meta = metaOf(req, p);
    await deps.files.mutate(f._id, (cur) =>
      cur.shares.some((s) => s.userId === userId)
        ? {
            set: { shares: cur.shares.filter((s) => s.userId !== userId) },
            events: [
              event(
                deps.clock,
                'file.unshared',
                { fileId: cur._id, ownerId: cur.ownerId, patientId: cur.patientId, userId },
                meta,
              ),
            ],
          }
        : null,
    );
    return reply.code(204).send(null);
  });
}
