import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { withPublicRoutes } from '../docs/openapi.js';
import { DOCS_HTML, DOCS_JS } from '../docs/page.js';
import { UPSTREAMS } from '../docs/upstreams.js';
import { ProblemSchema } from './schemas.js';

/**
 * OpenAPI 3.1 from the gateway's own route schemas (@fastify/swagger, registered before the
 * routes so it sees them) plus the public routes of the services, generated from theirs. Served at /docs/openapi.json with a
 * small self-contained viewer at /docs (no CDN: same-origin script, CSP-friendly).
 */
async function docs(app: FastifyInstance) {
  app.addSchema(ProblemSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'MedVault public API',
        version: '1.0.0',
        description:
          'Errors are application/problem+json with a stable `code` and the request id. Every request carries or is given an x-request-id.',
      },
      tags: [{ name: 'auth' }, { name: 'users' }, ...UPSTREAMS.map((name) => ({ name }))],
    },
    // Shared schemas keep their $id as component name (Problem), so hand-written refs resolve.
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transformObject: (doc) =>
      ('openapiObject' in doc
        ? withPublicRoutes(doc.openapiObject as Record<string, unknown>)
        : doc.swaggerObject) as never,
  });
  const hidden = { schema: { hide: true }, config: { public: true } };
  app.get('/docs/openapi.json', hidden, async () => app.swagger());
  app.get('/docs', hidden, async (_req, reply) => reply.type('text/html; charset=utf-8').send(DOCS_HTML));
  app.get('/docs/app.js', hidden, async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(DOCS_JS));
}

export const docsPlugin = fp(docs, { name: 'gateway-docs' });
