import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface SlowBodyOptions {
  /** Below this average rate (after the grace period) a body upload is cut off. */
  minBytesPerSecond: number;
  graceSeconds: number;
}

/**
 * Slowloris defence for request bodies. Node's requestTimeout bounds a whole request, which a
 * legitimate multi-GiB upload needs to be long; instead every request with a body must keep a
 * minimum rate. Bodies are streamed to the upstream untouched, so progress is read from the
 * socket's byte counter rather than by listening to the stream. A stalled client gets 408 and
 * its connection is closed, freeing the socket and the upstream request.
 */
async function slowBody(app: FastifyInstance, opts: SlowBodyOptions) {
  app.addHook('onRequest', async (req, reply) => {
    const length = Number(req.headers['content-length'] ?? 0);
    if (!(length > 0 || req.headers['transfer-encoding'])) return;
    const socket = req.raw.socket;
    // Only a network socket counts bytes; requests injected in-process (tests, light-my-request)
    // have none to measure, and no slow client to defend against.
    if (typeof socket?.bytesRead !== 'number' || typeof socket.destroySoon !== 'function') return;
    let lastBytes = socket.bytesRead;
    let lastProgress = Date.now();
    const timer = setInterval(() => {
      if (req.raw.complete || socket.destroyed) return clearInterval(timer);
      const now = Date.now();
      // Data waiting in our buffer means the upstream is the bottleneck (backpressure), not the
      // client: that counts as progress, so a slow upstream never gets a client cut off.
      if (socket.bytesRead - lastBytes >= opts.minBytesPerSecond || req.raw.readableLength > 0) lastProgress = now;
      lastBytes = socket.bytesRead;
      if (now - lastProgress < opts.graceSeconds * 1000) return;
      clearInterval(timer);
      req.log.warn({ bytesRead: socket.bytesRead }, 'request body too slow: connection closed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(408, { 'content-type': 'application/problem+json', connection: 'close' });
        reply.raw.end(
          JSON.stringify({
            status: 408,
            code: 'REQUEST_TIMEOUT',
            title: 'Request Timeout',
            detail: 'Request body arrived too slowly',
            requestId: req.id,
          }),
        );
      }
      socket.destroySoon();
    }, 1000);
    timer.unref();
    req.raw.once('close', () => clearInterval(timer));
  });
}

export const slowBodyGuard = fp(slowBody, { name: 'gateway-slow-body-guard' });
