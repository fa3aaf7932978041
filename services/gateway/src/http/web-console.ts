import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '@medvault/common/errors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_PATH_PARAM_LENGTH } from '../docs/routes.js';

/** Where `npm run build -w web` puts the console, seen from this file (src/http or dist/http). */
export const defaultWebConsoleDir = () => fileURLToPath(new URL('../../../../web/dist', import.meta.url));

/** Paths that belong to the API and operations, never to the console (their 404 stays an API 404). */
const NOT_CONSOLE = /^\/(v1|docs|health|metrics|dicomweb)(\/|$)/;
/**
 * A request for the console's static files (page or asset), not the API: it spends no anonymous
 * API budget (a page load is several requests, and the files are public and cheap to serve).
 */
export function isConsoleRequest(req: FastifyRequest): boolean {
  const route = req.routeOptions.url;
  if (route !== '/*') return false;
  return (req.method === 'GET' || req.method === 'HEAD') && !NOT_CONSOLE.test(req.url);
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

const decoded = (p: string) => {
  try {
    return decodeURIComponent(p);
  } catch {
    throw new AppError('NOT_FOUND', 'Not found');
  }
};

/**
 * The console's own security headers: scripts only from this origin (Vite emits no inline
 * script), inline styles allowed (Mantine sets CSS variables at run time), no framing, no
 * plugins, no foreign form targets, the API on the same origin only. Set at onSend, so they
 * replace the API's generic ones on the console's responses.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
const CONSOLE_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
};

/**
 * Serves the built web console (web/dist) at `/` on the API's origin: hashed assets under
 * /assets with a long cache, every other console path gets index.html (client-side routes).
 * Registered before the API's security plugin, so it carries its own headers and static files do
 * not spend anyone's API rate budget. Without a build the console paths answer 404 with a hint.
 */
export async function webConsole(app: FastifyInstance, opts: { dir: string }) {
  const root = resolve(opts.dir);
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.headers(CONSOLE_HEADERS);
    return payload;
  });
  // Read per page load (half a kilobyte): a rebuilt console is served without a gateway restart.
  const indexHtml = () => readFile(join(root, 'index.html')).catch(() => undefined);

  const sendFile = async (reply: FastifyReply, rel: string) => {
    const path = resolve(root, `.${rel}`);
    if (!path.startsWith(root + sep)) return false;
    const s = await stat(path).catch(() => undefined);
    if (!s?.isFile()) return false;
    reply
      .type(TYPES[extname(path)] ?? 'application/octet-stream')
      .header('content-length', s.size)
      .header('cache-control', rel.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    await reply.send(createReadStream(path));
    return true;
  };

  const hidden = { schema: { hide: true }, config: { public: true }, logLevel: 'warn' as const };
  // One wildcard (it matches `/` too): no handler on the root node keeps the route table's shape.
  app.get('/*', hidden, async (req, reply) => {
    const path = decoded(req.url.split('?')[0] ?? '/');
    if (NOT_CONSOLE.test(path)) {
      // This wildcard also catches API paths whose segment is past the router's limit (fastify's
      // own answer, had no wildcard matched, is 414): keep that answer for them.
      if (path.split('/').some((s) => s.length > MAX_PATH_PARAM_LENGTH))
        throw Object.assign(new URIError('A path segment is too long'), { statusCode: 414 });
      // Otherwise the API's own 404, exactly as if the console were not there.
      return reply.callNotFound();
    }
    if (await sendFile(reply, path)) return reply;
    // A missing asset is a 404, not the page (a script tag must never receive HTML).
    if (path.startsWith('/assets/') || extname(path) !== '') throw new AppError('NOT_FOUND', 'Not found');
    return sendIndex(reply);
  });

  async function sendIndex(reply: FastifyReply) {
    const html = await indexHtml();
    if (!html) throw new AppError('NOT_FOUND', 'The web console is not built (npm run build -w web)');
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  }
}
