import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { type ServiceName, serviceEnv } from './index.js';

export interface HealthSuiteOptions<D extends { close(): Promise<void> }> {
  service: ServiceName;
  /** The service's own composition: `(env) => buildDeps(loadServiceConfig(env))`. */
  buildDeps: (env: NodeJS.ProcessEnv) => D | Promise<D>;
  buildApp: (deps: D) => Promise<FastifyInstance>;
  /**
   * 'names' (internal services): /health/ready names the checks; 'none' (a public entry point):
   * `{status}` only. Default 'names'.
   */
  readiness?: 'names' | 'none';
  /** Checks that must be up on the local stack (by name), e.g. ['mongo', 'redis', 'sqs']. */
  checks?: string[];
  /** Whether the service uses Redis (the outage case breaks it). Default true. */
  redis?: boolean;
}

/** The app of a service built against the local stack, with env overrides; closed after the suite. */
export type AppWith = (overrides?: Record<string, string>) => Promise<FastifyInstance>;

/** Value of `http_requests_total` for GET `route` answered 200, 0 when the series does not exist yet. */
export function requestCount(metrics: string, route: string): number {
  const esc = route.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const series = new RegExp(
    `^http_requests_total\\{(?=[^}]*method="GET")(?=[^}]*route="${esc}")(?=[^}]*status="200")[^}]*\\} (\\d+)`,
    'm',
  );
  return Number(series.exec(metrics)?.[1] ?? 0);
}

/**
 * The health and readiness suite every service shares (integration: the real local stack):
 * live, ready with the stack up, 503 naming redis when it is down, and metrics that move with
 * requests. `more` adds the service's own cases with the same `appWith`.
 */
export function describeHealth<D extends { close(): Promise<void> }>(
  o: HealthSuiteOptions<D>,
  more?: (appWith: AppWith) => void,
): void {
  const opened: D[] = [];
  const appWith: AppWith = async (overrides = {}) => {
    const deps = await o.buildDeps(serviceEnv(o.service, { LOG_LEVEL: 'silent', ...overrides }));
    opened.push(deps);
    return o.buildApp(deps);
  };
  const named = (o.readiness ?? 'names') === 'names';

  describe(`${o.service} health`, () => {
    afterAll(async () => {
      await Promise.all(opened.splice(0).map((d) => d.close()));
    });

    it('is live and ready with the whole local stack up', async () => {
      const app = await appWith();
      expect((await app.inject('/health/live')).statusCode).toBe(200);
      const ready = await app.inject('/health/ready');
      expect(ready.statusCode, ready.body).toBe(200);
      if (!named) {
        expect(ready.json()).toEqual({ status: 'ok' });
        return;
      }
      expect(ready.json()).toMatchObject({ status: 'ok', down: [] });
      for (const name of o.checks ?? []) expect(ready.json().checks[name], name).toMatchObject({ status: 'up' });
    });

    if (o.redis ?? true) {
      it('answers 503 when redis is unreachable, naming it where readiness names checks', async () => {
        const app = await appWith({ REDIS_URL: 'redis://127.0.0.1:1' });
        const ready = await app.inject('/health/ready');
        expect(ready.statusCode).toBe(503);
        if (named) expect(ready.json().down).toEqual(['redis']);
        else expect(ready.json()).toEqual({ status: 'unavailable' });
      });
    }

    it('serves Prometheus metrics that count each request', async () => {
      const app = await appWith();
      const before = requestCount((await app.inject('/metrics')).body, '/health/live');
      expect((await app.inject('/health/live')).statusCode).toBe(200);
      const res = await app.inject('/metrics');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(requestCount(res.body, '/health/live')).toBe(before + 1);
    });

    more?.(appWith);
  });
}
