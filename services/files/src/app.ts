import multipart from '@fastify/multipart';
import { createServiceApp } from '@medvault/common/http';
import { type Deps, SERVICE } from './deps.js';
import { deidentifyRoutes } from './http/deidentify.js';
import { dicomwebRoutes } from './http/dicomweb.js';
import { emergencyRoutes } from './http/emergency.js';
import { fileRoutes } from './http/files.js';
import { linkRoutes } from './http/links.js';
import { shareRoutes } from './http/shares.js';

/** Builds the files HTTP app from its dependencies. Never reads the environment, never listens. */
export async function buildApp(deps: Deps) {
  // Link tokens travel in the path (/v1/links/<token>): allow params longer than the default 100.
  const app = await createServiceApp(SERVICE, deps, { fastify: { routerOptions: { maxParamLength: 2048 } } });
  await app.register(multipart, {
    // One file and a few small fields; the file's own cap is enforced while streaming (413).
    limits: {
      files: 1,
      fields: 5,
      fieldSize: 8 * 1024,
      parts: 8,
      headerPairs: 50,
      fileSize: deps.config.MAX_UPLOAD_BYTES + 1,
    },
  });
  await deps.files
    .ensureIndexes()
    .catch((err: unknown) => deps.logger.warn({ err }, 'could not ensure indexes (mongo down?)'));
  await app.register(fileRoutes, { deps });
  await app.register(shareRoutes, { deps });
  await app.register(linkRoutes, { deps });
  await app.register(emergencyRoutes, { deps });
  await app.register(deidentifyRoutes, { deps });
  await app.register(dicomwebRoutes, { deps });
  return app;
}
