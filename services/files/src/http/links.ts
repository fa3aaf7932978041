import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { principalOf } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { newId } from '@medvault/common/ids';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { authorize } from '../app/access.js';
import { serveLink } from '../app/serve-link.js';
import type { Deps } from '../deps.js';
import { event } from '../domain/events.js';
import { signLink } from '../domain/links.js';
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
      const cfg = deps.config;
      const ttl = req.body.ttlSeconds ?? cfg.LINK_DEFAULT_TTL_SECONDS;
      if (ttl > cfg.LINK_MAX_TTL_SECONDS)
        throw new AppError('BAD_REQUEST', `ttlSeconds must be at most ${cfg.LINK_MAX_TTL_SECONDS}`, {
          details: { field: 'ttlSeconds' },
        });
      const f = await deps.files.mustGet(req.params.id);
      await authorize(deps, p, 'file:read_content', f);
      if (f.status === 'deleted' || f.status === 'infected')
        throw new AppError('FILE_NOT_AVAILABLE', `File is ${f.status}`, { details: { fileStatus: f.status } });
      const now = deps.clock.now();
      const exp = Math.floor(now.getTime() / 1000) + ttl;
      const expiresAt = new Date(exp * 1000);
      const linkId = newId('link');
      const maxDownloads = req.body.maxDownloads ?? null;
      await deps.links.insert({
        _id: linkId,
        fileId: f._id,
        userId: p.userId,
        expiresAt,
        maxDownloads,
        downloads: 0,
        createdAt: now,
      });
      const token = signLink(cfg.LINK_SIGNING_SECRET, { linkId, fileId: f._id, userId: p.userId, exp });
      await deps.files.append(f._id, [
        event(
          deps.clock,
          'file.link_created',
          {
            fileId: f._id,
            linkId,
            expiresAt: expiresAt.toISOString(),
            patientId: f.patientId,
            ...(maxDownloads ? { maxDownloads } : {}),
          },
          metaOf(req, p),
        ),
      ]);
      return reply.code(201).send({
        id: linkId,
        url: `/v1/links/${token}`,
        expiresAt: expiresAt.toISOString(),
        ...(maxDownloads ? { maxDownloads } : {}),
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
