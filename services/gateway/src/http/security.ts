import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import { AppError } from '@medvault/common/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import helmet from 'helmet';
import type { Deps } from '../deps.js';
import { anonymousLimitPlugin } from './anonymous-limit.js';

/**
 * Security headers, CORS and rate limiting for every route registered after this plugin.
 * The per-user limiter runs at preHandler so it can key on the authenticated user (one budget per
 * user however many addresses they come from); anonymous requests are limited per source before
 * authentication by anonymous-limit.ts.
 */
async function security(app: FastifyInstance, { deps }: { deps: Deps }) {
  const c = deps.config;
  // helmet itself (what @fastify/helmet wraps) as an onRequest hook: the wrapper's CommonJS
  // require of helmet breaks under the test runner's ESM resolution.
  const headers = helmet({
    // API responses are JSON or downloads; the /docs page loads only same-origin assets.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        frameAncestors: ["'none'"],
      },
    },
    hsts: { maxAge: 31_536_000, includeSubDomains: true },
  });
  app.addHook('onRequest', (req, reply, done) =>
    headers(req.raw, reply.raw, (err?: unknown) => done(err as Error | undefined)),
  );
  const origins = c.CORS_ORIGINS.split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  await app.register(cors, {
    origin: origins.length > 0 ? origins : false,
    credentials: false, // bearer tokens, never cookies
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'range', 'x-request-id', 'last-event-id'],
    exposedHeaders: [
      'x-request-id',
      'retry-after',
      'content-range',
      'accept-ranges',
      'repr-digest',
      'ratelimit-limit',
      'ratelimit-remaining',
      'ratelimit-reset',
    ],
    maxAge: 600,
  });
  // Anonymous requests are limited per source before authentication (anonymous-limit.ts).
  await app.register(anonymousLimitPlugin, { deps });
  if (!c.RATE_LIMIT_ENABLED) return;
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    redis: deps.redis,
    nameSpace: 'gateway:rl:',
    timeWindow: c.RATE_LIMIT_WINDOW_SECONDS * 1000,
    max: c.RATE_LIMIT_MAX,
    allowList: (req: FastifyRequest) => !req.principal,
    keyGenerator: (req: FastifyRequest) => `u:${req.principal?.userId}`,
    // A Redis outage must not take the API down with it: fail open (login throttling still fails closed).
    skipOnError: true,
    enableDraftSpec: true,
    errorResponseBuilder: (_req, ctx) => {
      const seconds = Math.max(1, Math.ceil(ctx.ttl / 1000));
      return new AppError('RATE_LIMITED', `Rate limit exceeded, retry in ${seconds} s`, {
        headers: { 'retry-after': String(seconds) },
      });
    },
  });
}

export const securityPlugin = fp(security, { name: 'gateway-security' });
