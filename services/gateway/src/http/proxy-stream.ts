import { PassThrough, Readable } from 'node:stream';
import replyFrom from '@fastify/reply-from';
import { type Principal, principalOf } from '@medvault/common/auth';
import { AppError, dependencyUnavailable } from '@medvault/common/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import type { Upstream } from '../docs/upstreams.js';
import { StreamSlots } from '../domain/stream-slots.js';
import { forwarder, proxyScope } from './proxy.js';

/** Long-lived event streams and their upstream; every other route goes through the ordinary proxy. */
export const STREAM_ROUTES: readonly { url: string; upstream: Upstream }[] = [
  { url: '/v1/notifications/stream', upstream: 'notify' },
  { url: '/v1/conversations/stream', upstream: 'chat' },
];

/** reply-from hands onResponse its upstream answer as `{ statusCode, headers, stream }`. */
function upstreamBody(res: object): Readable {
  const stream = (res as { stream?: unknown }).stream;
  if (!(stream instanceof Readable)) throw new AppError('UPSTREAM_FAILED', 'upstream sent no stream');
  return stream;
}

/**
 * Relays the upstream stream through a stream of our own, so the gateway can end it cleanly
 * (a proper end of the chunked response, the upstream connection dropped) the moment the token
 * that opened it is revoked (logout, deactivation) or expires, whatever the upstream does.
 */
function relay(
  req: Pick<FastifyRequest, 'log' | 'principal'>,
  reply: { send(payload: Readable): unknown },
  upstream: Readable,
  watch: Deps['revocationWatcher'],
) {
  if (!req.principal) throw new AppError('UNAUTHENTICATED', 'Authentication required');
  const out = new PassThrough();
  let ending = false;
  const unwatch = watch.watch(req.principal, (reason) => {
    req.log.info({ reason }, 'notification stream ended by the gateway');
    // A clean end for the client (last chunk sent), whatever aborting the upstream reports.
    ending = true;
    upstream.unpipe(out);
    upstream.destroy();
    out.end();
  });
  upstream.on('error', (err) => {
    if (!ending) out.destroy(err);
  });
  // The client went away (or the stream ended): stop watching, free the upstream connection.
  out.on('close', () => {
    unwatch();
    upstream.destroy();
  });
  upstream.pipe(out);
  reply.send(out);
}

/**
 * The event streams (GET /v1/notifications/stream, GET /v1/conversations/stream) through the
 * gateway: on connections of their own (never the pool ordinary requests wait on), at most
 * SSE_MAX_STREAMS_PER_USER at a time per user on this instance (all streams together), and
 * ended at once when the caller's token stops being valid.
 */
export async function streamRoutes(root: FastifyInstance, { deps }: { deps: Deps }) {
  const c = deps.config;
  const slots = new StreamSlots(c.SSE_MAX_STREAMS_PER_USER);
  const watcher = deps.revocationWatcher;
  // Open streams would hold the server open for ever: end them when the app closes.
  root.addHook('preClose', async () => watcher.endAll());
  for (const { url, upstream } of STREAM_ROUTES) {
    // One scope per upstream: reply-from takes its base URL per registration.
    await root.register(async (scope) => {
      proxyScope(scope, c);
      await scope.register(replyFrom, {
        base: deps.upstreams[upstream],
        undici: deps.upstreamAgents.streaming,
        disableRequestLogging: true,
      });
      const forward = forwarder(upstream, deps, (req, reply, res) => relay(req, reply, upstreamBody(res), watcher));
      scope.get(url, { schema: { hide: true } }, async (req, reply) => {
        const p: Principal = principalOf(req);
        const release = slots.acquire(p.userId);
        if (!release) {
          throw new AppError('TOO_MANY_STREAMS', `At most ${c.SSE_MAX_STREAMS_PER_USER} open event streams per user`, {
            details: { maxStreams: c.SSE_MAX_STREAMS_PER_USER },
          });
        }
        reply.raw.once('close', release);
        // Without the revocation push a logged-out stream would run until its token expires.
        await watcher.start().catch((cause) => {
          throw dependencyUnavailable('redis', cause);
        });
        return forward(req, reply);
      });
    });
  }
}
