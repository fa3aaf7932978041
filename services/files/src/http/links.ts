import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { principalOf } from '@medvault/common/auth';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { createLink } from '../app/create-link.js';
import { serveLink } from '../app/serve-link.js';
import type { Deps } from '../deps.js';
import { metaOf } from './request-meta.js';
import { Download, FileParams, LinkBody, LinkResponse } from './schemas.js';
import { sendDownload } from './send-download.js';

const TokenParams = Type.Object(
  { token: Type.String({ minLength: 10, maxLength: 2048 }) },
  { additionalProperties: false },
);

/** Signed, caller-bound, time-limited download links and the download itself. */
export async function linkRoutes(root: FastifyInstance, { deps }: { deps: Deps }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preHandler', app.authenticate);

  app.post(
    '/v1/files/:id/links',
    { schema: { params: FileParams, body: LinkBody, response: { 201: LinkResponse } } },
    async (req, reply) => {
      const p = principalOf(req);
      const link = await createLink(deps, p, req.params.id, req.body, metaOf(req, p));
      return reply.code(201).send({
        id: link.id,
        url: `/v1/links/${link.token}`,
        expiresAt: link.expiresAt.toISOString(),
        ...(link.maxDownloads ? { maxDownloads: link.maxDownloads } : {}),
      });
    },
  );

  // No automatic HEAD route: it would run the download (count it, emit file.downloaded) for nothing.
  const download = {
    schema: { params: TokenParams, response: { 200: Download, 206: Download } },
    exposeHeadRoute: false,
  };
  app.get('/v1/links/:token', download, async (req, reply) => {
    const p = principalOf(req);
    const d = await serveLink(deps, p, req.params.token, req.headers.range, metaOf(req, p));
    return sendDownload(reply, d);
  });
}
