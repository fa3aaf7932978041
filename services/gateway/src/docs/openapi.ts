import type { TSchema } from '@sinclair/typebox';
import { type PublicRoute, publicRoutes } from './public-routes.js';

type Json = Record<string, unknown>;

/** A TypeBox schema as plain JSON Schema (TypeBox adds symbol keys only). */
const plain = (s: TSchema): Json => JSON.parse(JSON.stringify(s)) as Json;

const PROBLEM = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: PROBLEM } },
});

function operation(r: PublicRoute): Json {
  const params: Json[] = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (r.query) {
    const q = plain(r.query) as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) {
      params.push({ name, in: 'query', required: (q.required ?? []).includes(name), schema });
    }
  }
  const ok: Json = { description: r.summary };
  if (r.response.schema) ok.content = { [r.response.type ?? 'application/json']: { schema: plain(r.response.schema) } };
  return {
    tags: [r.tag],
    summary: r.summary,
    description: `Proxied to the ${r.upstream} service, which validates the request and verifies the token itself.`,
    ...(params.length ? { parameters: params } : {}),
    ...(r.body
      ? { requestBody: { required: true, content: { [r.bodyType ?? 'application/json']: { schema: plain(r.body) } } } }
      : {}),
    responses: {
      [String(r.response.status)]: ok,
      '400': problemResponse('Invalid request (the field is named)'),
      '401': problemResponse('Missing, invalid, expired or revoked access token'),
      '403': problemResponse('The policy refuses this caller'),
      '404': problemResponse('Not found'),
      '429': problemResponse('Rate limited (Retry-After)'),
      '502': problemResponse('Upstream failed'),
      '503': problemResponse('Upstream unavailable'),
      '504': problemResponse('Upstream timed out'),
    },
  };
}

/** Adds the proxied public routes to the document @fastify/swagger built from the gateway's own routes. */
export function withPublicRoutes(doc: Json): Json {
  const paths = { ...((doc.paths as Record<string, Json> | undefined) ?? {}) };
  for (const r of publicRoutes) {
    paths[r.path] = { ...(paths[r.path] ?? {}), [r.method.toLowerCase()]: operation(r) };
  }
  const components = (doc.components as Json | undefined) ?? {};
  const schemes = { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (EdDSA)' } };
  return { ...doc, paths, components: { ...components, securitySchemes: schemes }, security: [{ bearerAuth: [] }] };
}
