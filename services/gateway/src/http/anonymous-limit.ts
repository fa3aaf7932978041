import { AppError } from '@medvault/common/errors';
import { createEvent } from '@medvault/common/events';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Deps } from '../deps.js';
import { sourceOf } from '../domain/login-backoff.js';
import { actorOf } from './context.js';
import { isConsoleRequest } from './web-console.js';

const QUIET = /^\/(health|metrics|docs)(\/|$)/;
const hasBearer = (req: FastifyRequest) => req.headers.authorization?.startsWith('Bearer ') === true;

/**
 * Anonymous requests per source, limited BEFORE authentication (pentest finding 13: the 401 used
 * to come before the limiter, so anonymous floods were never limited and each one became an
 * audit record). Every request that ends without a principal spends the source's budget
 * (RATE_LIMIT_ANON_MAX per RATE_LIMIT_WINDOW_SECONDS, source = IP or IPv6 /64): counted at once
 * when it carries no bearer token, at its end when its token was refused (or never checked). Over budget, a
 * request without a valid token is refused with 429 before any other work; a valid token still
 * passes (one user behind a busy NAT is not punished for anonymous noise from the same address).
 * Token-bearing requests learn that a source is over budget from this instance's own counting
 * (no Redis read on the authenticated path); with several instances each one learns it within
 * a few refused tokens.
 *
 * Audit: requests within the budget are audited one by one as before (probing is worth a record
 * with its ip and user agent); refused ones are not (a flood must not grow the audit chain by one
 * record per request): one access.denied per source and window says that the limit was reached.
 * Like the per-user limiter, this fails open when Redis is down (login throttling does not).
 */
async function anonymousLimit(app: FastifyInstance, { deps }: { deps: Deps }) {
  const c = deps.config;
  if (!c.RATE_LIMIT_ENABLED) return;
  const windowMs = c.RATE_LIMIT_WINDOW_SECONDS * 1000;
  const key = (req: FastifyRequest) => `gateway:anon:${sourceOf(req.ip)}`;

  /** Spends one unit of the source's budget; returns the count so far and the window's remaining ms. */
  const spend = async (k: string) => {
    const [[, n], , [, ttl]] = (await deps.redis.multi().incr(k).pexpire(k, windowMs, 'NX').pttl(k).exec()) as [
      [null, number],
      unknown,
      [null, number],
    ];
    return { n, ttl };
  };
  // Sources known (from this instance's own counting) to have spent their budget, until when.
  // Token-bearing requests consult only this: valid-token traffic costs no Redis round trip.
  const spent = new Map<string, number>();
  const note = (k: string, r: { n: number; ttl: number }) => {
    if (r.n < c.RATE_LIMIT_ANON_MAX) return;
    if (spent.size >= 10_000) spent.delete(spent.keys().next().value ?? k);
    spent.set(k, Date.now() + Math.max(1, r.ttl));
  };
  const remaining = (k: string) => {
    const until = spent.get(k) ?? 0;
    if (until <= Date.now()) spent.delete(k);
    return until - Date.now();
  };

  const refuse = async (req: FastifyRequest, ttl: number) => {
    req.anonymousLimited = true;
    const seconds = Math.max(1, Math.ceil(ttl / 1000));
    // One audit record per source and window, however long the flood goes on.
    const first = await deps.redis.set(`${key(req)}:reported`, '1', 'PX', Math.max(1, ttl), 'NX');
    if (first === 'OK') {
      deps.events.enqueue(
        createEvent(
          'access.denied',
          {
            reason: `anonymous request limit of ${c.RATE_LIMIT_ANON_MAX} per ${c.RATE_LIMIT_WINDOW_SECONDS} s reached by this source; further refusals in this window are not recorded`,
            method: req.method,
            route: req.routeOptions.url ?? 'unmatched',
          },
          { correlationId: req.id, source: 'gateway', actor: actorOf(req) },
        ),
      );
    }
    throw new AppError('RATE_LIMITED', `Too many anonymous requests, retry in ${seconds} s`, {
      headers: { 'retry-after': String(seconds) },
    });
  };

  app.addHook('onRequest', async (req) => {
    if (req.method === 'OPTIONS' || QUIET.test(req.url) || isConsoleRequest(req)) return;
    const k = key(req);
    if (hasBearer(req)) {
      const ttl = remaining(k);
      if (ttl <= 0) return; // within budget: authentication decides
      try {
        await app.authenticate(req); // over budget: only a valid token gets through
      } catch (err) {
        if (AppError.is(err) && err.status === 401) await refuse(req, ttl);
        throw err;
      }
      return;
    }
    let state: { n: number; ttl: number };
    try {
      state = await spend(k);
    } catch (err) {
      req.log.warn({ err }, 'anonymous rate limit skipped: redis unavailable');
      return;
    }
    note(k, state);
    if (state.n > c.RATE_LIMIT_ANON_MAX) await refuse(req, state.ttl);
  });

  app.addHook('onResponse', async (req) => {
    // Whatever the outcome (401, or a 404 on an unknown route that never authenticates), a
    // token-bearing request that ended without a principal was anonymous.
    if (req.anonymousLimited || !hasBearer(req) || req.principal || isConsoleRequest(req)) return;
    const k = key(req);
    await spend(k).then(
      (state) => note(k, state),
      (err: unknown) => req.log.warn({ err }, 'anonymous rate limit not counted'),
    );
  });
}

export const anonymousLimitPlugin = fp(anonymousLimit, { name: 'gateway-anonymous-limit' });
