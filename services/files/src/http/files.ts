import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import type { FastifyInstance } from 'fastify';
import { authorize } from '../app/access.js';
import { bulkRescan } from '../app/bulk-rescan.js';
import { listFiles } from '../app/list-files.js';
import { requestRescan } from '../app/request-rescan.js';
import { restore } from '../app/restore.js';
import { servePreview } from '../app/serve-preview.js';
import { softDelete } from '../app/soft-delete.js';
import type { Deps } from '../deps.js';
import { toApi } from './present.js';
import { metaOf } from './request-meta.js';
import {
  FileParams,
  FileSchema,
  ListQuery,
  ListResponse,
  Preview,
  RescanBody,
  RescanResponse,
  UploadParts,
} from './schemas.js';
import { sendDownload } from './send-download.js';
import { handleUpload } from './upload-form.js';

/** Upload, read, list, delete/restore and rescan of files. */
export async function fileRoutes(root: FastifyInstance, { deps }: { deps: Deps }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preHandler', app.authenticate);

  app.post(
    '/v1/files',
    { schema: { multipart: UploadParts, response: { 200: FileSchema, 202: FileSchema } } },
    async (req, reply) => {
      const p = principalOf(req);
      if (!req.isMultipart())
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send multipart/form-data with a "file" part');
      const { file, duplicate } = await handleUpload(deps, req, p, deps.config.UPLOAD_IDLE_TIMEOUT_MS);
      if (duplicate) return reply.code(200).send({ ...toApi(file), duplicate: true });
      return reply.code(202).send(toApi(file));
    },
  );

  app.get('/v1/files', { schema: { querystring: ListQuery, response: { 200: ListResponse } } }, async (req) => {
    const page = await listFiles(deps, principalOf(req), req.query);
    return { items: page.items.map(toApi), nextCursor: page.nextCursor };
  });

  app.get('/v1/files/:id', { schema: { params: FileParams, response: { 200: FileSchema } } }, async (req) => {
    const f = await deps.files.mustGet(req.params.id);
    await authorize(deps, principalOf(req), 'file:read_metadata', f);
    return toApi(f);
  });

  // No automatic HEAD route: it would count a download of the preview for nothing.
  app.get(
    '/v1/files/:id/preview',
    { schema: { params: FileParams, response: { 200: Preview } }, exposeHeadRoute: false },
    async (req, reply) => {
      const p = principalOf(req);
      const d = await servePreview(deps, p, req.params.id, metaOf(req, p));
      return sendDownload(reply, d);
    },
  );

  app.delete('/v1/files/:id', { schema: { params: FileParams, response: { 200: FileSchema } } }, async (req) => {
    const p = principalOf(req);
    const f = await deps.files.mustGet(req.params.id);
    await authorize(deps, p, 'file:delete', f);
    const next = await softDelete(deps, f, metaOf(req, p));
    return toApi(next);
  });

  app.post('/v1/files/:id/restore', { schema: { params: FileParams, response: { 200: FileSchema } } }, async (req) => {
    const p = principalOf(req);
    const f = await deps.files.get(req.params.id);
    if (!f) throw new AppError('NOT_FOUND', 'File not found');
    await authorize(deps, p, 'file:restore', f);
    const next = await restore(deps, f, metaOf(req, p));
    return toApi(next);
  });

  app.post(
    '/v1/files/:id/rescan',
    { schema: { params: FileParams, response: { 202: FileSchema } }, preHandler: requireRole('admin') },
    async (req, reply) => {
      const p = principalOf(req);
      const f = await deps.files.mustGet(req.params.id);
      await authorize(deps, p, 'file:rescan', f);
      const next = await requestRescan(deps, f._id, 'admin request', metaOf(req, p));
      if (!next || next.generation === f.generation)
        throw new AppError('CONFLICT', `A ${f.status} file cannot be rescanned`);
      return reply.code(202).send(toApi(next));
    },
  );

  app.post(
    '/v1/admin/rescan',
    { schema: { body: RescanBody, response: { 202: RescanResponse } }, preHandler: requireRole('admin') },
    async (req, reply) => {
      const p = principalOf(req);
      const requested = await bulkRescan(deps, req.body, metaOf(req, p));
      return reply.code(202).send({ requested });
    },
  );
}
