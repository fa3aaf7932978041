import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions, LogController } from 'fastify';
import type { Logger } from 'pino';
import { type TokenVerifierOptions, tokenVerifier } from '../auth/verify.js';
import { newId } from '../ids/index.js';
import { type CallerPolicy, registerCallerPolicy } from './callers.js';
import { type DependencyCheck, registerHealth } from './health.js';
import { collectProcessMetrics, counter, histogram, registry } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { registerErrorHandling } from './problem.js';

export interface BaseAppOptions {
  service: string;
  logger: Logger;
  checks: DependencyCheck[];
  /** Required, so no service can forget it: the gateway is `edge`, every other service `gateway-only`. */
  callers: CallerPolicy;
  bodyLimit?: number;
  /** false on a public entry point: /health/ready says up or down only (see HealthOptions). */
  readinessDetails?: boolean;
  /**
   * Access tokens: registers the token verifier (`app.authenticate`, `req.principal`) with its
   * revocation check, so no service repeats that block. Absent on a service that serves no user.
   */
  auth?: TokenVerifierOptions;
  /** Extra fastify options (https, trustProxy, timeouts). */
  fastify?: Partial<FastifyServerOptions> & Record<string, unknown>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Set while draining (runService): readiness answers 503, responses say `Connection: close`. */
    shutdownState: { shuttingDown: boolean };
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const httpRequests = counter('http_requests_total', 'HTTP requests', ['method', 'route', 'status']);
const httpDuration = histogram('http_request_duration_seconds', 'HTTP request duration', ['method', 'route']);

/**
 * The base every service's buildApp starts from: TypeBox validation, request ids taken from
 * `x-request-id` (or minted) and echoed back, problem+json errors, health, and metrics, and the
 * caller policy: internal services answer only requests the gateway vouches for.
 */
export function createBaseApp(opts: BaseAppOptions) {
  collectProcessMetrics(opts.service);
  const state = { shuttingDown: false };
  const app = Fastify({
    loggerInstance: opts.logger,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    requestIdHeader: false,
    // fastify 5.12 moved the request-id label onto the log controller (the top-level option warns).
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    genReqId: (req) => {
      const h = req.headers['x-request-id'];
      return typeof h === 'string' && REQUEST_ID.test(h) ? h : newId('request');
    },
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true },
    },
    return503OnClosing: true,
    forceCloseConnections: false,
    ...opts.fastify,
    // Behind the gateway nothing in a request's headers says where it came from: the client
    // address comes from the verified gateway assertion (req.clientIp), never X-Forwarded-For.
    ...(opts.callers.kind === 'gateway-only' ? { trustProxy: false } : {}),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('shutdownState', state);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // First onRequest hook after the request id: nothing (not even a 404) answers a direct caller.
  registerCallerPolicy(app, opts.service, opts.callers);
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });
  registerErrorHandling(app);
  // Not awaited: fastify loads plugins in registration order, so the routes a service registers
  // next (awaited) find `app.authenticate` decorated.
  if (opts.auth) void app.register(tokenVerifier, opts.auth);
  // Internal services describe their routes; the edge publishes the merged document (gateway docs/).
  if (opts.callers.kind === 'gateway-only') registerOpenApi(app, { service: opts.service });
  registerHealth(app, opts.checks, state, { details: opts.readinessDetails === false ? 'none' : 'names' });
  app.get('/metrics', { logLevel: 'warn' }, async (_req, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
  // While draining, tell keep-alive clients not to reuse the connection: a request sent on an
  // idle socket just as the server closes it would be reset instead of answered.
  app.addHook('onSend', async (_req, reply) => {
    if (state.shuttingDown) reply.header('connection', 'close');
  });
  app.addHook('preClose', async () => {
    state.shuttingDown = true;
  });
  return app;
}

export type BaseApp = ReturnType<typeof createBaseApp>;

/** What a service's base app is built from: the first fields of its `Deps` (see platform's `ServiceDeps`). */
export interface ServiceAppDeps {
  logger: Logger;
  checks: DependencyCheck[];
  callers: CallerPolicy;
  /** Access tokens (`platform.tokenAuth()`); absent on a service that serves no user. */
  tokenAuth?: TokenVerifierOptions;
}

/**
 * An internal service's base app from its `Deps`, with the token verifier already loaded: routes
 * added directly (not as awaited plugins) may name `app.authenticate` at once.
 */
export async function createServiceApp(
  service: string,
  deps: ServiceAppDeps,
  more: Pick<BaseAppOptions, 'bodyLimit' | 'fastify'> = {},
): Promise<BaseApp> {
  const { logger, checks, callers, tokenAuth } = deps;
  const app = createBaseApp({ service, logger, checks, callers, ...(tokenAuth ? { auth: tokenAuth } : {}), ...more });
  await app.after();
  return app;
}
