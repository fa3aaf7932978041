import { describe, expect, it } from 'vitest';
import { REPO_ROOT, serviceDocument } from '../../tools/service-docs.js';
import { asOpenApiDocument } from './document.js';
import { upstreamDocuments } from './openapi.generated.js';
import { withPublicRoutes } from './openapi.js';
import { MAX_PATH_PARAM_LENGTH, publicRoutes, publicRoutesOf, schemaGaps } from './routes.js';
import { PUBLIC_PATH, UPSTREAMS } from './upstreams.js';

// Builds every upstream's real app (stub deps, nothing listens or connects): a few seconds.
const built = Object.fromEntries(await Promise.all(UPSTREAMS.map(async (n) => [n, await serviceDocument(n)] as const)));

describe('the gateway API truth comes from the services route schemas', () => {
  it.each(UPSTREAMS)(
    'has an up-to-date generated document of the %s service (else: npm run openapi -w @medvault/gateway)',
    (name) => {
      expect(upstreamDocuments[name]).toEqual(built[name]!.doc);
    },
  );

  it.each(UPSTREAMS)('documents every public route the %s service registers', (name) => {
    const documented = publicRoutesOf({ [name]: built[name]!.doc }).map((r) => `${r.method} ${r.pattern}`);
    const registered = built[name]!.seen.filter((r) => !r.hidden && PUBLIC_PATH.test(r.url)).map(
      (r) => `${r.method} ${r.url}`,
    );
    expect(registered.length).toBeGreaterThan(0);
    expect(documented.sort()).toEqual(registered.sort());
  });

  it('has a request and response schema for every proxied route', () => {
    expect(publicRoutes.length).toBeGreaterThan(30);
    expect(publicRoutes.flatMap(schemaGaps)).toEqual([]);
  });

  it('finds a route without a response schema or with an undeclared path parameter', () => {
    const bare = {
      ...publicRoutes[0]!,
      path: '/v1/x/{id}',
      operation: { responses: { '200': { description: 'Default Response' } } },
    };
    expect(schemaGaps(bare)).toEqual([
      expect.stringContaining('no response schema'),
      expect.stringContaining('path parameter id has no schema'),
    ]);
  });

  it('keeps internal routes (hidden, or outside /v1) out of the routing table', () => {
    expect(publicRoutes.every((r) => PUBLIC_PATH.test(r.path))).toBe(true);
    expect(publicRoutes.some((r) => r.path.startsWith('/health') || r.path === '/metrics')).toBe(false);
  });

  it('accepts a download link token as long as the files service does', () => {
    expect(MAX_PATH_PARAM_LENGTH).toBe(2048);
  });

  it('publishes each service operation once, with the edge errors added', () => {
    const merged = asOpenApiDocument(
      withPublicRoutes({ openapi: '3.1.0', info: {}, paths: {}, components: { schemas: {} } }),
      'merged',
    );
    expect(Object.values(merged.paths).flatMap((ops) => Object.keys(ops))).toHaveLength(publicRoutes.length);
    const upload = merged.paths['/v1/files']?.post;
    expect(Object.keys(upload?.requestBody?.content as object)).toEqual(['multipart/form-data']);
    expect(Object.keys(upload?.responses ?? {})).toEqual(expect.arrayContaining(['202', '401', '503']));
  });

  // The drifts the hand-written mirror had (issue 13), each settled on the service's side.
  describe('documents what the services really do', () => {
    const op = (method: string, path: string) => publicRoutes.find((r) => r.method === method && r.path === path);
    const json = (v: unknown) => JSON.stringify(v);

    it('documents the bulk rescan body the files service takes (not a fileId)', () => {
      const body = json(op('POST', '/v1/admin/rescan')?.operation.requestBody);
      expect(body).toContain('olderThanDatabaseVersion');
      expect(body).not.toContain('fileId');
    });

    it('documents an upload description of up to 2000 characters', () => {
      expect(json(op('POST', '/v1/files')?.operation.requestBody)).toMatch(/"description":\{"maxLength":2000/);
    });

    it('documents the blocked file status', () => {
      expect(json(op('GET', '/v1/files/{id}')?.operation.responses)).toContain('"blocked"');
    });

    it('does not document a clinician directory the appointments service does not serve', () => {
      expect(publicRoutes.some((r) => r.path === '/v1/clinicians')).toBe(false);
    });

    it('documents audit verification ranges as sequence numbers', () => {
      const params = op('GET', '/v1/audit/verify')?.operation.parameters ?? [];
      expect(params.map((p) => [p.name, p.schema?.type])).toEqual([
        ['from', 'integer'],
        ['to', 'integer'],
      ]);
    });
  });

  it('writes nothing of this machine into the documents', () => {
    expect(JSON.stringify(upstreamDocuments)).not.toContain(REPO_ROOT);
  });
});
