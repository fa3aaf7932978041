import { beforeAll, describe, expect, it } from 'vitest';
import { adminToken, call, createUser, GATEWAY } from './support/client.js';
import { atLimits, beyondLimits, type Schema, validValue } from './support/schema-samples.js';

/**
 * The published document and the services agree: for every proxied operation of
 * /docs/openapi.json, a request built from the document alone (its examples and limits) is
 * accepted by the service behind it (anything but 400; a made-up id may well be 404), a value
 * at a documented limit too, and one just beyond a documented limit is refused with 400.
 */
interface Param {
  name: string;
  in: string;
  required?: boolean;
  /** @fastify/swagger moves a parameter schema's `examples` here. */
  example?: unknown;
  schema: Schema;
}
interface Op {
  'x-upstream'?: string;
  parameters?: Param[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}
interface Req {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  body?: Record<string, unknown>;
}

let token = '';
const doc: { paths: Record<string, Record<string, Op>> } = (await call('GET', '/docs/openapi.json')).body;
const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops)
    .filter(([, op]) => op['x-upstream'])
    .map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, op })),
);

// A throwaway admin: the valid requests really run (preferences, webhooks...), and must not
// change what the bootstrap admin the other suites rely on receives.
beforeAll(async () => {
  token = (await createUser(await adminToken(), 'admin', 'API truth probe')).token;
});

const bodyType = (op: Op) => Object.keys(op.requestBody?.content ?? {})[0];
const bodySchema = (op: Op) => Object.values(op.requestBody?.content ?? {})[0]?.schema;
const allProps = (s: Schema) =>
  Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, p]) => [k, validValue(p)]));

/**
 * A page cursor is minted by the service (the previous page's nextCursor), opaque to a client:
 * it cannot be built from the document, only refused beyond its documented limits.
 */
const minted = (p: Param) => p.name === 'cursor';

/** Every documented parameter and body field, each with a valid value. */
function baseline(op: Op): Req {
  const params = (op.parameters ?? []).filter((p) => !minted(p));
  const of = (where: string) =>
    Object.fromEntries(params.filter((p) => p.in === where).map((p) => [p.name, p.example ?? validValue(p.schema)]));
  const body = bodySchema(op);
  return { path: of('path'), query: of('query'), ...(body ? { body: allProps(body) } : {}) };
}

async function send(method: string, path: string, op: Op, req: Req): Promise<{ status: number; detail: string }> {
  const url = new URL(
    path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(String(req.path[n]))),
    GATEWAY,
  );
  for (const [k, v] of Object.entries(req.query)) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  let body: RequestInit['body'];
  if (req.body && bodyType(op) === 'multipart/form-data') {
    const form = new FormData();
    for (const [k, v] of Object.entries(req.body)) if (k !== 'file') form.append(k, String(v));
    form.append('file', new Blob([Buffer.from('api truth probe\n')], { type: 'text/plain' }), 'probe.txt');
    body = form;
  } else if (req.body) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(req.body);
  }
  const abort = new AbortController();
  const r = await fetch(url, { method, headers, body, signal: abort.signal });
  // Only problem bodies are read: a stream (events, downloads) is left at its headers.
  const isProblem = (r.headers.get('content-type') ?? '').startsWith('application/problem+json');
  const detail = isProblem ? JSON.stringify(await r.json()) : '';
  abort.abort();
  return { status: r.status, detail };
}

/** One request per documented limit of the parameters and body fields (and the extra field refused). */
function probes(op: Op, base: Req) {
  const out: { label: string; req: Req; refused: boolean }[] = [];
  const vary = (where: 'path' | 'query' | 'body', name: string, s: Schema, valid = true) => {
    const withValue = (value: unknown): Req => ({ ...base, [where]: { ...base[where], [name]: value } });
    for (const l of valid ? atLimits(s) : [])
      out.push({ label: `${where} ${name} at ${l.label}`, req: withValue(l.value), refused: false });
    for (const l of beyondLimits(s))
      out.push({ label: `${where} ${name} beyond ${l.label}`, req: withValue(l.value), refused: true });
  };
  for (const p of op.parameters ?? [])
    if (p.in === 'path' || p.in === 'query') vary(p.in, p.name, p.schema, !minted(p));
  const body = bodySchema(op);
  for (const [name, s] of Object.entries(body?.properties ?? {})) if (s.format !== 'binary') vary('body', name, s);
  if (body?.additionalProperties === false && bodyType(op) === 'application/json')
    out.push({
      label: 'an undocumented body field',
      req: { ...base, body: { ...base.body, zzUndocumented: 1 } },
      refused: true,
    });
  return out;
}

describe('the published OpenAPI document agrees with what the services accept', () => {
  it('documents the proxied operations', () => {
    expect(operations.length).toBeGreaterThan(30);
  });

  it.each(operations)(
    '$name: accepts a request built from the document, refuses one beyond a documented limit',
    async ({ method, path, op }) => {
      const base = baseline(op);
      const ok = await send(method, path, op, base);
      expect(ok.status, `documented request refused: ${ok.detail}`).not.toBe(400);
      expect(ok.detail, 'the gateway does not route a documented operation').not.toContain('No route');
      for (const p of probes(op, base)) {
        const r = await send(method, path, op, p.req);
        // A path segment past the router's limit is the gateway's 414 URI Too Long: refused too.
        const refusals = p.label.startsWith('path') && p.label.includes('maxLength') ? [400, 414] : [400];
        if (p.refused) expect(refusals, `${p.label}: ${r.status} ${r.detail}`).toContain(r.status);
        else expect(r.status, `${p.label}: ${r.detail}`).not.toBe(400);
      }
    },
  );
});
