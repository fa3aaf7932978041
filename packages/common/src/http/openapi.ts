import swagger from '@fastify/swagger';
import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifySchema {
    /**
     * The parts of a streamed multipart/form-data body, for the OpenAPI document only: fastify
     * never parses such a body (the handler reads the parts as they stream and checks them
     * itself), so this cannot be `body`, which fastify would validate against nothing.
     */
    multipart?: TSchema;
  }
}

/** A route as fastify saw it being added, documented or not (to find routes with no schema). */
export interface RouteSeen {
  method: string;
  url: string;
  hidden: boolean;
}

const seenBy = new WeakMap<object, RouteSeen[]>();

/** Every route added to `app` after registerOpenApi (HEAD shadows of GET routes left out). */
export function routesSeen(app: FastifyInstance): RouteSeen[] {
  return seenBy.get(app) ?? [];
}

/**
 * A service's OpenAPI 3.1 document comes from its TypeBox route schemas (@fastify/swagger reads
 * them as routes are added: call this before the routes, as createBaseApp does). Routes with
 * `schema.hide` stay out (internal-only). The gateway merges these documents into the public
 * one and routes by them (services/gateway/src/docs). Shared schemas keep their `$id` as
 * component name.
 */
export function registerOpenApi(app: FastifyInstance, opts: { service: string }) {
  const seen: RouteSeen[] = [];
  seenBy.set(app, seen);
  // Synchronously, unlike the plugin below: a route added too early for swagger still shows here.
  app.addHook('onRoute', (r) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const method of methods) {
      if (method === 'HEAD') continue; // fastify's automatic twin of a GET route
      seen.push({ method, url: r.url, hidden: r.schema?.hide === true });
    }
  });
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: `MedVault ${opts.service} service`, version: '1.0.0' },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    transform: ({ schema, url }) => {
      if (!schema?.multipart) return { schema, url };
      const { multipart, ...rest } = schema;
      return { schema: { ...rest, consumes: ['multipart/form-data'], body: multipart }, url };
    },
  });
}

/** The document as plain JSON (no TypeBox symbols), for writing or merging. */
export function openApiDocument(app: FastifyInstance): Record<string, unknown> {
  return JSON.parse(JSON.stringify(app.swagger())) as Record<string, unknown>;
}
