import { HTTP_METHODS, type OpenApiDocument, type Operation } from './document.js';
import { upstreamDocuments } from './openapi.generated.js';
import { PUBLIC_PATH, UPSTREAMS, type Upstream } from './upstreams.js';

/** One public operation of an upstream service, as its own document describes it. */
export interface PublicRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** OpenAPI path syntax: /v1/files/{id}. */
  path: string;
  /** fastify path syntax: /v1/files/:id. */
  pattern: string;
  upstream: Upstream;
  operation: Operation;
}

/** The public operations of documents, in document order (internal and non-/v1 paths left out). */
export function publicRoutesOf(docs: Partial<Record<Upstream, OpenApiDocument>>): PublicRoute[] {
  const out: PublicRoute[] = [];
  for (const upstream of UPSTREAMS) {
    for (const [path, ops] of Object.entries(docs[upstream]?.paths ?? {})) {
      if (!PUBLIC_PATH.test(path)) continue;
      for (const m of HTTP_METHODS) {
        const operation = ops[m];
        if (!operation) continue;
        const method = m.toUpperCase() as PublicRoute['method'];
        out.push({ method, path, pattern: path.replace(/\{(\w+)\}/g, ':$1'), upstream, operation });
      }
    }
  }
  return out;
}

/** The gateway's routing table, access-audit names and published document all come from this. */
export const publicRoutes: PublicRoute[] = publicRoutesOf(upstreamDocuments);

/**
 * What a route's schema leaves undocumented (empty when complete): a route must declare its
 * success responses (with a body schema unless 204), and a schema for every path parameter.
 * @fastify/swagger writes a bodiless "Default Response" when a route has no response schema.
 */
export function schemaGaps(r: PublicRoute): string[] {
  const gaps: string[] = [];
  const where = `${r.method} ${r.path} (${r.upstream})`;
  const responses = Object.entries(r.operation.responses);
  if (!responses.some(([status]) => /^2\d\d$/.test(status))) gaps.push(`${where}: no success response`);
  for (const [status, res] of responses) {
    if (res.content || status === '204') continue;
    gaps.push(`${where}: ${res.description === 'Default Response' ? 'no response schema' : `${status} has no body`}`);
  }
  for (const [, name] of r.path.matchAll(/\{(\w+)\}/g)) {
    if (!r.operation.parameters?.some((p) => p.in === 'path' && p.name === name))
      gaps.push(`${where}: path parameter ${name} has no schema`);
  }
  return gaps;
}

/**
 * The longest path parameter a public route documents (a download link's token runs to 2048):
 * the gateway's router must accept it, where fastify's default stops at 100 characters (404).
 */
export const MAX_PATH_PARAM_LENGTH = Math.max(
  100,
  ...publicRoutes.flatMap((r) =>
    (r.operation.parameters ?? []).map((p) => {
      const max = p.schema?.maxLength;
      return p.in === 'path' && typeof max === 'number' ? max : 0;
    }),
  ),
);
