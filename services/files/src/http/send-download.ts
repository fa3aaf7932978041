import type { FastifyReply } from 'fastify';
import type { Download } from '../app/serve-link.js';

/**
 * Sends a streamed download (link or preview). The route's response schema documents the binary
 * body; the body itself is a stream, which the typed reply of the route cannot express.
 */
export function sendDownload(reply: FastifyReply, d: Download) {
  return reply.code(d.status).headers(d.headers).send(d.body);
}
