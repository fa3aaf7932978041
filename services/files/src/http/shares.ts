import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { principalOf } from '@medvault/common/auth';
import { idPattern } from '@medvault/common/ids';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { shareFile } from '../app/share-file.js';
import { unshareFile } from '../app/unshare-file.js';
import type { Deps } from '../deps.js';
import { metaOf } from './request-meta.js';
import { FileParams, NoContent, ShareBody, ShareResponse } from './schemas.js';

const ShareParams = Type.Object(
  { id: Type.String({ pattern: idPattern('file') }), userId: Type.String({ pattern: idPattern('user') }) },
  { additionalProperties: false },
);

/** Sharing a file with another user (optionally until a date). */
export async function shareRoutes(root: FastifyInstance, { deps }: { deps: Deps }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preHandler', app.authenticate);

  app.post(
    '/v1/files/:id/shares',
    { schema: { params: FileParams, body: ShareBody, response: { 201: ShareResponse } } },
    async (req, reply) => {
      const p = principalOf(req);
      const expiresAt = req.body.expiresAt ? new Date(req.body.expiresAt) : null;
      const share = await shareFile(deps, p, req.params.id, { userId: req.body.userId, expiresAt }, metaOf(req, p));
      return reply.code(201).send({
        fileId: share.fileId,
        userId: share.userId,
        ...(share.expiresAt ? { expiresAt: share.expiresAt.toISOString() } : {}),
      });
    },
  );

  const revoke = { schema: { params: ShareParams, response: { 204: NoContent } } };
  app.delete('/v1/files/:id/shares/:userId', revoke, async (req, reply) => {
    const p = principalOf(req);
    await unshareFile(deps, p, req.params.id, req.params.userId, metaOf(req, p));
    return reply.code(204).send(null);
  });
}
