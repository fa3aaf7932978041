import { type Readable, Transform, type TransformCallback } from 'node:stream';
import replyFrom from '@fastify/reply-from';
import { AppError } from '@medvault/common/errors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import { publicRoutes } from '../docs/routes.js';
import { UPSTREAMS, type Upstream } from '../docs/upstreams.js';
import { assertionFor, GATEWAY_ASSERTION_HEADER } from './internal-assertion.js';
import { STREAM_ROUTES, streamRoutes } from './proxy-stream.js';

/** Request headers an upstream needs; everything else (cookies, spoofed internal headers) is dropped. */
const FORWARDED = [
  'authorization',
  'content-type',
  'content-length',
  'accept',
  'accept-language',
  'cache-control',
  'range',
  'if-range',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'last-event-id',
  'user-agent',
  'content-digest',
  'repr-digest',
  'want-repr-digest',
  'want-content-digest',
];
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'FST_REPLY_FROM_SERVICE_UNAVAILABLE',
]);
const TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'FST_REPLY_FROM_GATEWAY_TIMEOUT']);

class BodyTooLarge extends Error {
  code = 'GATEWAY_BODY_TOO_LARGE';
}

/** Counts bytes as they stream through and fails past the limit (chunked uploads have no length). */
function limitStream(limit: number) {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      seen += chunk.length;
      cb(seen > limit ? new BodyTooLarge(`body exceeds ${limit} bytes`) : null, chunk);
    },
  });
}

/**
 * The request body as the upstream will read it: bytes counted as they pass. Past the limit
 * only the counted stream fails (the upstream request aborts, the client gets 413) and the rest
 * of the client's body is drained; a client abort ends the upstream request too.
 */
function limitedBody(payload: Readable, limit: number) {
  const limited = limitStream(limit);
  payload.on('error', (err) => limited.destroy(err));
  payload.on('close', () => {
    if ((payload as { complete?: boolean }).complete === false) limited.destroy(new Error('client aborted the upload'));
  });
  limited.on('error', () => {
    payload.unpipe(limited);
    payload.resume();
  });
  return payload.pipe(limited);
}

function codesOf(err: unknown): string[] {
  const out: string[] = [];
  for (let e = err as { code?: string; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (e.code) out.push(e.code);
    if (e instanceof BodyTooLarge) out.push('GATEWAY_BODY_TOO_LARGE');
  }
  return out;
}

/** Upstream failures as problem+json: down → 503, slow → 504, anything else → 502. */
export function upstreamError(name: string, err: unknown): AppError {
  const codes = codesOf(err);
  if (codes.includes('GATEWAY_BODY_TOO_LARGE')) return new AppError('PAYLOAD_TOO_LARGE', 'Request body is too large');
  if (codes.some((c) => UNAVAILABLE.has(c)))
    return new AppError('DEPENDENCY_UNAVAILABLE', `${name} service is unavailable`, {
      cause: err,
      details: { dependency: name },
    });
  if (codes.some((c) => TIMEOUT.has(c)))
    return new AppError('UPSTREAM_TIMEOUT', `${name} service did not answer in time`, { cause: err });
  return new AppError('UPSTREAM_FAILED', `${name} service failed`, { cause: err });
}

function forwardedFor(req: FastifyRequest, trustProxy: boolean): string {
  const socket = req.raw.socket.remoteAddress ?? req.ip;
  const prior = req.headers['x-forwarded-for'];
  return trustProxy && typeof prior === 'string' && prior ? `${prior}, ${socket}` : socket;
}

/**
 * Hop-by-hop headers describe one connection, not the message (RFC 9110 §7.6.1): the upstream's
 * `connection: keep-alive` copied onto the client's response would override the client's own
 * `Connection: close`. Node sets the client connection's headers itself from the client's request.
 */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade'];

export function endToEndHeaders(headers: Record<string, string | string[] | undefined>) {
  const out = { ...headers };
  const listed = String(headers.connection ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  for (const h of [...HOP_BY_HOP, ...listed]) delete out[h];
  return out;
}

type OnResponse = NonNullable<Parameters<FastifyReply['from']>[1]>['onResponse'];

/**
 * The route handler forwarding a request to one internal service through the scope's reply-from.
 * Bodies are never parsed or buffered: the raw request stream goes up and the upstream's response
 * stream comes back. The caller's token is authenticated here first and forwarded as is; the
 * upstream verifies it again itself, and accepts the request only with the gateway's assertion.
 */
export function forwarder(name: Upstream, deps: Pick<Deps, 'config' | 'assertions'>, onResponse?: OnResponse) {
  const c = deps.config;
  const failed = new WeakSet<object>();
  return (req: FastifyRequest, reply: FastifyReply): FastifyReply =>
    reply.from(req.url, {
      retryDelay: () => null, // never replay a request upstream: not every call is idempotent
      rewriteRequestHeaders: (r, headers) => {
        const out: Record<string, string | string[] | undefined> = { host: headers.host as string };
        for (const h of FORWARDED) if (headers[h] !== undefined) out[h] = headers[h];
        out['x-request-id'] = r.id;
        out['x-forwarded-for'] = forwardedFor(r as FastifyRequest, c.TRUST_PROXY);
        out['x-forwarded-proto'] = r.protocol;
        out[GATEWAY_ASSERTION_HEADER] = assertionFor(deps, name, r, headers.authorization);
        return out as Record<string, string>;
      },
      rewriteHeaders: (headers) => endToEndHeaders(headers),
      onError: (rep, { error }) => {
        // reply-from may report one failure twice (request and body stream): answer once.
        if (rep.sent || failed.has(rep.request)) return;
        failed.add(rep.request);
        rep.send(upstreamError(name, error));
      },
      ...(onResponse ? { onResponse } : {}),
    });
}

/**
 * Body parsing off (bodies stream through, counted against their limit) and auth on. Only
 * multipart uploads may stream large bodies. Anything else (JSON) gets the gateway's small limit
 * here: forwarded, an oversized JSON body met the upstream's own limit, which answers 413 before
 * reading and closes the socket under our still-running send (EPIPE → 502).
 */
export function proxyScope(scope: FastifyInstance, c: Deps['config']) {
  const limitOf = (req: FastifyRequest) =>
    /^multipart\//i.test(req.headers['content-type'] ?? '') ? c.UPLOAD_BODY_LIMIT_BYTES : c.BODY_LIMIT_BYTES;
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', (req, payload, done) => done(null, limitedBody(payload, limitOf(req))));
  scope.addHook('onRequest', scope.authenticate);
  scope.addHook('onRequest', async (req) => {
    const len = Number(req.headers['content-length'] ?? 0);
    if (len > limitOf(req)) throw new AppError('PAYLOAD_TOO_LARGE', `Request body exceeds ${limitOf(req)} bytes`);
  });
}

/**
 * Path-preserving pass-through to one internal service, over the pooled ordinary connections:
 * exactly the public operations its own OpenAPI document lists (docs/routes.ts), so a path it
 * does not document is the gateway's 404 and never reaches it. HEAD comes with GET (fastify
 * exposes it); OPTIONS stays with CORS preflight handling.
 */
function upstreamPlugin(name: Upstream, deps: Deps) {
  const c = deps.config;
  return async (scope: FastifyInstance) => {
    proxyScope(scope, c);
    await scope.register(replyFrom, {
      base: deps.upstreams[name],
      undici: deps.upstreamAgents.ordinary,
      disableRequestLogging: true,
    });
    const handler = forwarder(name, deps);
    for (const r of publicRoutes) {
      if (r.upstream !== name || (r.method === 'GET' && STREAM_ROUTES.some((s) => s.url === r.path))) continue;
      scope.route({
        method: r.method,
        url: r.pattern,
        // Documented by the service itself (docs/openapi.ts), validated by it too: not here.
        schema: { hide: true },
        bodyLimit: c.UPLOAD_BODY_LIMIT_BYTES,
        // A download link's URL carries its token: keep it out of the request log.
        ...(r.path.startsWith('/v1/links/') ? { logLevel: 'warn' as const } : {}),
        handler,
      });
    }
  };
}

export async function proxyRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  for (const name of UPSTREAMS) {
    await app.register(upstreamPlugin(name, deps));
  }
  await app.register(streamRoutes, { deps });
}
