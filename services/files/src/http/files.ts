import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { principalOf, requireRole } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import type { FastifyInstance } from 'fastify';
import type { Filter } from 'mongodb';
import { authorize, decide } from '../core/access.js';
import { metaOf } from '../core/events.js';
import { dicomFilters, servePreview } from '../core/imaging.js';
import { toApi } from '../core/present.js';
import { requestRescan, restore, softDelete } from '../core/transitions.js';
import { handleUpload } from '../core/upload.js';
import type { Deps } from '../deps.js';
import type { FileRecord } from '../store/files-repo.js';
import { FileParams, FileSchema, ListQuery, ListResponse, RescanBody } from './schemas.js';

/** Upload, read, list, delete/restore and rescan of files. */
export async function fileRoutes(root: FastifyInstance, { deps }: { deps: Deps }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preHandler', app.authenticate);

  app.post('/v1/files', { schema: { response: { 200: FileSchema, 202: FileSchema } } }, async (req, reply) => {
    const p = principalOf(req);
    if (!req.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send multipart/form-data with a "file" part');
    const { file, duplicate } = await handleUpload(deps, req, p);
    if (duplicate) return reply.code(200).send({ ...toApi(file), duplicate: true });
    deps.outbox.kick();
    return reply.code(202).send(toApi(file));
  });

  app.get('/v1/files', { schema: { querystring: ListQuery, response: { 200: ListResponse } } }, async (req) => {
    const p = principalOf(req);
    const q = req.query;
    const filter = await visibleTo(deps, p.userId, p.role);
    const and: Filter<FileRecord>[] = [filter];
    and.push(q.status ? { status: q.status } : { status: { $nin: ['deleted', 'purged'] } });
    if (q.patientId) and.push({ patientId: q.patientId });
    if (q.contentType) and.push({ contentType: q.contentType });
    and.push(...dicomFilters(q));
    if (q.cursor) and.push({ _id: { $gt: q.cursor } });
    const page = await deps.files.list({ $and: and }, q.limit);
    const items = [];
    // The query narrows; the policy decides (e.g. expired shares, care ended).
    for (const f of page) if ((await decide(deps, p, 'file:read_metadata', f)).allowed) items.push(toApi(f));
    return { items, nextCursor: page.length === q.limit ? page[page.length - 1]!._id : null };
  });

  app.get('/v1/files/:id', { schema: { params: FileParams, response: { 200: FileSchema } } }, async (req) => {
    const f = await deps.files.mustGet(req.params.id);
    await authorize(deps, principalOf(req), 'file:read_metadata', f);
    return toApi(f);
  });

  app.get('/v1/files/:id/preview', { schema: { params: FileParams } }, async (req, reply) =>
    servePreview(deps, req, reply, principalOf(req), req.params.id),
  );

  app.delete('/v1/files/:id', { schema: { params: FileParams, response: { 200: FileSchema } } }, async (req) => {
    const p = principalOf(req);
    const f = await deps.files.mustGet(req.params.id);
    await authorize(deps, p, 'file:delete', f);
    const next = await softDelete(deps, f, metaOf(req, p));
    deps.outbox.kick();
    return toApi(next);
  });

  app.post('/v1/files/:id/restore', { schema: { params: FileParams, response: { 200: FileSchema } } }, async (req) => {
    const p = principalOf(req);
    const f = await deps.files.get(req.params.id);
    if (!f) throw new AppError('NOT_FOUND', 'File not found');
    await authorize(deps, p, 'file:restore', f);
    const next = await restore(deps, f, metaOf(req, p));
    deps.outbox.kick();
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
      deps.outbox.kick();
      return reply.code(202).send(toApi(next));
    },
  );

  app.post(
    '/v1/admin/rescan',
    { schema: { body: RescanBody }, preHandler: requireRole('admin') },
    async (req, reply) => {
      const p = principalOf(req);
      const { olderThanDatabaseVersion, reason } = req.body;
      let requested = 0;
      let cursor = '';
      for (;;) {
        // Quarantined files are waiting for a scan anyway; infected ones stay infected.
        const page = await deps.files.list(
          { _id: { $gt: cursor }, status: { $in: ['clean', 'available', 'scan_failed', 'blocked'] } },
          200,
        );
        if (page.length === 0) break;
        cursor = page[page.length - 1]!._id;
        for (const f of page) {
          if (
            olderThanDatabaseVersion &&
            f.lastScan &&
            !olderVersion(f.lastScan.databaseVersion, olderThanDatabaseVersion)
          )
            continue;
          if (olderThanDatabaseVersion && !f.lastScan) continue;
          if (await requestRescan(deps, f._id, reason ?? 'bulk rescan', metaOf(req, p))) requested++;
        }
      }
      deps.outbox.kick();
      return reply.code(202).send({ requested });
    },
  );
}

/** Numeric versions compare as numbers (ClamAV daily.cvd "27435"), others as strings. */
export function olderVersion(a: string, b: string): boolean {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na < nb : a < b;
}

async function visibleTo(deps: Deps, userId: string, role: string): Promise<Filter<FileRecord>> {
  if (role === 'admin') return {};
  if (role === 'patient') return { ownerId: userId };
  if (role === 'clinician') {
    const patients = await deps.projections.patientsInCare(userId);
    return {
      $or: [
        { uploadedBy: userId },
        { 'shares.userId': userId },
        ...(patients.length ? [{ ownerId: { $in: patients } }] : []),
      ],
    };
  }
  throw new AppError('FORBIDDEN', 'Your role does not read files');
}
