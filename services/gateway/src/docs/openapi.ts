import type { Operation } from './document.js';
import { upstreamDocuments } from './openapi.generated.js';
import { type PublicRoute, publicRoutes } from './routes.js';
import { UPSTREAMS } from './upstreams.js';

type Json = Record<string, unknown>;

const PROBLEM = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: PROBLEM } },
});

/** What the gateway itself may answer on any proxied route, besides what the service answers. */
const EDGE_RESPONSES = {
  '400': problemResponse('Invalid request (the field is named)'),
  '401': problemResponse('Missing, invalid, expired or revoked access token'),
  '403': problemResponse('The policy refuses this caller'),
  '404': problemResponse('Not found'),
  '413': problemResponse('Request body too large'),
  '429': problemResponse('Rate limited (Retry-After)'),
  '502': problemResponse('Upstream failed'),
  '503': problemResponse('Upstream unavailable'),
  '504': problemResponse('Upstream timed out'),
};

function operation(r: PublicRoute): Operation {
  return {
    ...r.operation,
    tags: [r.upstream],
    'x-upstream': r.upstream,
    description: `Served by the ${r.upstream} service (this part of the document is generated from its route schemas), which validates the request and verifies the token itself.`,
    responses: { ...EDGE_RESPONSES, ...r.operation.responses },
  };
}

/** The services' shared component schemas, one name one meaning (a clash is a build error). */
function upstreamComponents(): Json {
  const out: Json = {};
  for (const name of UPSTREAMS) {
    for (const [key, schema] of Object.entries(upstreamDocuments[name].components?.schemas ?? {})) {
      if (key in out && JSON.stringify(out[key]) !== JSON.stringify(schema))
        throw new Error(`OpenAPI component ${key} differs between services`);
      out[key] = schema;
    }
  }
  return out;
}

/** Adds the proxied public routes to the document @fastify/swagger built from the gateway's own routes. */
export function withPublicRoutes(doc: Json): Json {
  const paths = { ...((doc.paths as Record<string, Json> | undefined) ?? {}) };
  for (const r of publicRoutes) {
    paths[r.path] = { ...(paths[r.path] ?? {}), [r.method.toLowerCase()]: operation(r) };
  }
  const components = (doc.components as Json | undefined) ?? {};
  const schemas = { ...upstreamComponents(), ...((components.schemas as Json | undefined) ?? {}) };
  const schemes = { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (EdDSA)' } };
  return {
    ...doc,
    paths,
    components: { ...components, schemas, securitySchemes: schemes },
    security: [{ bearerAuth: [] }],
  };
}
