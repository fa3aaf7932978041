import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openApiDocument, type RouteSeen, routesSeen } from '@medvault/common/http';
import { type TObject, type TSchema, TypeGuard } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { asOpenApiDocument, type OpenApiDocument } from '../src/docs/document.js';

/**
 * Build-time half of the API truth: each upstream service's OpenAPI document is produced from
 * its own route schemas by building its real app (its `src/app.ts` buildApp, the anatomy every
 * service shares) with stub dependencies that are never called, since no request is served.
 * Nothing connects anywhere, so this runs offline, deterministically, in a unit test.
 */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Whatever is asked of it at construction, a stub answers with another stub (never called for real). */
function stub(name: string): unknown {
  const target = function stubbed() {};
  return new Proxy(target, {
    get: (_t, key) => {
      if (key === 'then') return undefined; // awaiting a stub resolves to it, not for ever
      if (key === Symbol.toPrimitive) return () => 1;
      if (key === Symbol.iterator) return [][Symbol.iterator];
      return stub(`${name}.${String(key)}`);
    },
    apply: () => stub(`${name}()`),
    construct: () => stub(`new ${name}`) as object,
  });
}

/** A config of the service's own schema: its defaults, and neutral values where none (never used). */
function stubConfig(schema: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!TypeGuard.IsObject(schema as TSchema)) return out;
  for (const [key, prop] of Object.entries((schema as TObject).properties)) {
    try {
      out[key] = Value.Create(prop);
    } catch {
      out[key] = 'stub'; // a string with a pattern or format and no default (URLs, key files)
    }
  }
  return out;
}

const publicKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();

function stubDeps(config: Record<string, unknown>): unknown {
  const real: Record<string, unknown> = {
    config,
    logger: pino({ level: 'silent' }),
    checks: [],
    jwtPublicKey: publicKey,
    // The base app's token verifier (common/platform tokenAuth()); its revocation check is never called.
    tokenAuth: { publicKey, issuer: 'stub', audience: 'stub', revocation: { isRevoked: async () => false } },
    callers: { kind: 'gateway-only', publicKey },
    now: () => new Date(0),
  };
  const rest = stub('deps');
  return new Proxy(real, {
    get: (t, key) => (typeof key === 'string' && key in t ? t[key] : Reflect.get(rest as object, key)),
  });
}

type BuildApp = (deps: unknown) => Promise<FastifyInstance>;

async function importFrom(file: string): Promise<Record<string, unknown>> {
  return existsSync(file) ? ((await import(pathToFileURL(file).href)) as Record<string, unknown>) : {};
}

/** One service's document and every route its app registered (to find routes without one). */
export async function serviceDocument(name: string): Promise<{ doc: OpenApiDocument; seen: RouteSeen[] }> {
  const src = join(REPO_ROOT, 'services', name, 'src');
  const { buildApp } = await importFrom(join(src, 'app.ts'));
  if (typeof buildApp !== 'function') throw new Error(`services/${name}/src/app.ts exports no buildApp`);
  const { ConfigSchema } = await importFrom(join(src, 'config.ts'));
  const app = await (buildApp as BuildApp)(stubDeps(stubConfig(ConfigSchema)));
  try {
    await app.ready();
    return { doc: asOpenApiDocument(openApiDocument(app), name), seen: routesSeen(app) };
  } finally {
    // Close hooks run against stub deps (e.g. a live hub's closeAll): what they do or throw is moot here.
    await app.close().catch(() => undefined);
  }
}
