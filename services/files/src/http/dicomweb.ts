import { randomBytes } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { principalOf } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorizeUpload } from '../app/access.js';
import { findInstances } from '../app/dicomweb-find.js';
import { openInstance, readMetadata } from '../app/dicomweb-read.js';
import { storeInstance } from '../app/dicomweb-store.js';
import { servePreview } from '../app/serve-preview.js';
import type { Deps } from '../deps.js';
import {
  DICOM,
  DICOM_JSON,
  type DicomJsonDataset,
  type Instance,
  instanceResults,
  parseQido,
  STOW_FAILURE,
  type StowOutcome,
  seriesResults,
  stowResponse,
  studyResults,
} from '../domain/dicomweb.js';
import { watchBody } from './body-watchdog.js';
import { readRelated, writeRelated } from './dicomweb-multipart.js';
import {
  DicomJson,
  FrameParams,
  InstanceParams,
  Instances,
  QidoQuery,
  Rendered,
  SeriesParams,
  StowQuery,
  StowResponse,
  StudyParams,
} from './dicomweb-schemas.js';
import { metaOf } from './request-meta.js';
import { sendDownload } from './send-download.js';

/** Instances per STOW-RS request. */
const MAX_STOW_PARTS = 1000;

type Path = { study?: string; series?: string; instance?: string };
type Level = 'studies' | 'series' | 'instances';
const RESULTS = { studies: studyResults, series: seriesResults, instances: instanceResults };

/** The instances a path names that the caller may read; 404 when none (existing or not: no probing). */
async function instancesAt(deps: Deps, req: FastifyRequest, path: Path): Promise<Instance[]> {
  const found = await findInstances(
    deps,
    principalOf(req),
    {
      ...(path.study ? { studyInstanceUid: path.study } : {}),
      ...(path.series ? { seriesInstanceUid: path.series } : {}),
      ...(path.instance ? { sopInstanceUid: path.instance } : {}),
    },
    'file:read_content',
  );
  if (!found.length) throw new AppError('NOT_FOUND', 'No such DICOM resource, or none you may read');
  return found;
}

/** Accept negotiation: DICOMweb clients ask for multipart/related, PS3.18 defaults to it too. */
function accepts(req: FastifyRequest, type: string): boolean {
  const accept = req.headers.accept;
  if (!accept) return true;
  return accept.split(',').some((a) => {
    const t = a.split(';')[0]!.trim().toLowerCase();
    return t === type || t === '*/*' || t === `${type.split('/')[0]}/*`;
  });
}

function sendJson(reply: FastifyReply, status: number, body: unknown) {
  return reply.code(status).header('content-type', DICOM_JSON).header('cache-control', 'no-store').send(body);
}

/**
 * DICOMweb (PS3.18) under /dicomweb, with the API's tokens and access rules (issue 17):
 * QIDO-RS search, WADO-RS retrieval (instances, metadata, rendered frames) and STOW-RS storage.
 * Everything is answered from the files the caller may see; content only from `available` ones.
 */
export async function dicomwebRoutes(root: FastifyInstance, { deps }: { deps: Deps }) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('preHandler', app.authenticate);
  // STOW-RS bodies are read as they stream (readRelated), never parsed up front.
  app.addContentTypeParser(/^multipart\/related/i, (_req, _payload, done) => done(null));

  // --- QIDO-RS --------------------------------------------------------------------------------
  const search = (level: Level) => async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.params as Path;
    const q = parseQido(req.query as Record<string, unknown>, path);
    const found = await findInstances(deps, principalOf(req), q.dicom, 'file:read_metadata');
    const results = RESULTS[level](found).slice(q.offset, q.offset + q.limit);
    return sendJson(reply, 200, results);
  };
  const qido = (level: Level, params?: typeof StudyParams | typeof SeriesParams) => ({
    schema: {
      querystring: QidoQuery,
      ...(params ? { params } : {}),
      response: { 200: DicomJson(`QIDO-RS ${level} matching the query, among those the caller may see`) },
    },
  });
  app.get('/dicomweb/studies', qido('studies'), search('studies'));
  app.get('/dicomweb/series', qido('series'), search('series'));
  app.get('/dicomweb/instances', qido('instances'), search('instances'));
  app.get('/dicomweb/studies/:study/series', qido('series', StudyParams), search('series'));
  app.get('/dicomweb/studies/:study/instances', qido('instances', StudyParams), search('instances'));
  app.get('/dicomweb/studies/:study/series/:series/instances', qido('instances', SeriesParams), search('instances'));

  // --- WADO-RS --------------------------------------------------------------------------------
  const retrieve = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!accepts(req, 'multipart/related'))
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        'Instances are served as multipart/related; type="application/dicom"',
      );
    const found = await instancesAt(deps, req, req.params as Path);
    const meta = metaOf(req, principalOf(req));
    const boundary = randomBytes(16).toString('hex');
    const body = writeRelated(
      boundary,
      DICOM,
      found.map((i) => () => openInstance(deps, i, meta)),
    );
    return reply
      .code(200)
      .header('content-type', `multipart/related; type="${DICOM}"; boundary=${boundary}`)
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  };
  const metadata = async (req: FastifyRequest, reply: FastifyReply) => {
    const found = await instancesAt(deps, req, req.params as Path);
    const datasets: DicomJsonDataset[] = await readMetadata(deps, found, metaOf(req, principalOf(req)));
    return sendJson(reply, 200, datasets);
  };
  const wado = (params: typeof StudyParams | typeof SeriesParams | typeof InstanceParams) => ({
    schema: { params, response: { 200: Instances } },
    exposeHeadRoute: false,
  });
  const meta = (params: typeof StudyParams | typeof SeriesParams | typeof InstanceParams) => ({
    schema: { params, response: { 200: DicomJson('WADO-RS metadata: each instance header (bulk data left out)') } },
    exposeHeadRoute: false,
  });
  app.get('/dicomweb/studies/:study', wado(StudyParams), retrieve);
  app.get('/dicomweb/studies/:study/series/:series', wado(SeriesParams), retrieve);
  app.get('/dicomweb/studies/:study/series/:series/instances/:instance', wado(InstanceParams), retrieve);
  app.get('/dicomweb/studies/:study/metadata', meta(StudyParams), metadata);
  app.get('/dicomweb/studies/:study/series/:series/metadata', meta(SeriesParams), metadata);
  app.get('/dicomweb/studies/:study/series/:series/instances/:instance/metadata', meta(InstanceParams), metadata);

  // Rendered: the watermarked preview (first frame) is the only rendition there is.
  const rendered = async (req: FastifyRequest, reply: FastifyReply) => {
    const params = req.params as Path & { frames?: string };
    if (params.frames !== undefined && params.frames !== '1')
      throw new AppError('NOT_FOUND', 'Only the first frame is rendered');
    if (!accepts(req, 'image/png')) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Rendered frames are image/png');
    const [i] = await instancesAt(deps, req, params);
    const p = principalOf(req);
    return sendDownload(reply, await servePreview(deps, p, i!._id, metaOf(req, p)));
  };
  const render = (params: typeof InstanceParams | typeof FrameParams) => ({
    schema: { params, response: { 200: Rendered } },
    exposeHeadRoute: false,
  });
  app.get('/dicomweb/studies/:study/series/:series/instances/:instance/rendered', render(InstanceParams), rendered);
  app.get(
    '/dicomweb/studies/:study/series/:series/instances/:instance/frames/:frames/rendered',
    render(FrameParams),
    rendered,
  );

  // --- STOW-RS --------------------------------------------------------------------------------
  const stow = async (req: FastifyRequest, reply: FastifyReply) => {
    const p = principalOf(req);
    const ownerId = await authorizeUpload(deps, p, (req.query as { patientId?: string }).patientId);
    const study = (req.params as Path).study;
    const meta = metaOf(req, p);
    const watchdog = watchBody(req.raw, deps.config.UPLOAD_IDLE_TIMEOUT_MS);
    const body = { stalled: watchdog.stalled, complete: () => req.raw.complete };
    let outcomes: StowOutcome[];
    try {
      outcomes = await Promise.race([
        readRelated(req.raw, req.headers['content-type'], MAX_STOW_PARTS, async (part) => {
          if (part.contentType !== DICOM) {
            part.stream.resume();
            return { ok: false as const, reason: STOW_FAILURE.notDicom };
          }
          return storeInstance(deps, p, { source: part.stream, ownerId, ...(study ? { study } : {}), body }, meta);
        }),
        watchdog.stalled,
      ]);
    } finally {
      watchdog.stop();
    }
    if (!outcomes.length) throw new AppError('BAD_REQUEST', 'The body holds no instance');
    const res = stowResponse(outcomes);
    return sendJson(reply, res.status, res.body);
  };
  const stowSchema = (params?: typeof StudyParams) => ({
    schema: {
      querystring: StowQuery,
      ...(params ? { params } : {}),
      response: { 200: StowResponse, 202: StowResponse, 409: StowResponse },
    },
  });
  app.post('/dicomweb/studies', stowSchema(), stow);
  app.post('/dicomweb/studies/:study', stowSchema(StudyParams), stow);
}
