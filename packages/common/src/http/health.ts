import type { FastifyInstance } from 'fastify';

/** A readiness check: resolves when the dependency answers, rejects (or times out) when not. */
export interface DependencyCheck {
  name: string;
  /** May resolve to details surfaced on a detailed /health/ready when healthy (e.g. ClamAV database version). */
  check: () => Promise<unknown>;
}

const TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]);
}

export async function runChecks(checks: DependencyCheck[]) {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        const details = await withTimeout(c.check(), TIMEOUT_MS);
        return [c.name, { status: 'up', ...(details && typeof details === 'object' ? details : {}) }] as const;
      } catch (err) {
        return [
          c.name,
          { status: 'down', error: err instanceof Error ? err.message.slice(0, 200) : 'failed' },
        ] as const;
      }
    }),
  );
  const down = results.filter(([, r]) => r.status === 'down').map(([n]) => n);
  // `shown`: what an unauthenticated probe may see (no error text: addresses, driver messages).
  const shown = Object.fromEntries(results.map(([n, r]) => [n, r.status === 'down' ? { status: 'down' } : r]));
  return { ok: down.length === 0, down, checks: Object.fromEntries(results), shown };
}

export interface HealthOptions {
  /**
   * What /health/ready tells: 'none' only `{status: "ok" | "unavailable"}` (200/503), nothing
   * about the infrastructure behind it (a public entry point: contract, Operations); 'names'
   * (default) which dependency is up or down, no error text (internal ports, open to probes);
   * 'full' the error text too, for an operators-only listener.
   */
  details?: 'none' | 'names' | 'full';
}

/**
 * /health/live answers as long as the event loop runs; /health/ready checks every real
 * dependency and answers 503 naming the ones that are down, so a load balancer stops routing
 * to an instance that cannot serve. While shutting down, ready turns 503 first.
 */
export function registerHealth(
  app: FastifyInstance,
  checks: DependencyCheck[],
  state: { shuttingDown: boolean },
  opts: HealthOptions = {},
) {
  const details = opts.details ?? 'names';
  app.get('/health/live', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { logLevel: 'warn' }, async (req, reply) => {
    if (state.shuttingDown) {
      return reply
        .status(503)
        .send(details === 'none' ? { status: 'unavailable' } : { status: 'shutting_down', down: [], checks: {} });
    }
    const r = await runChecks(checks);
    const status = r.ok ? 'ok' : 'unavailable';
    // Probes reach this without credentials: the response names what is down at most, the error
    // text (addresses, ports, driver messages) goes to the log, or to an operators-only listener.
    if (!r.ok) req.log.warn({ down: Object.fromEntries(r.down.map((n) => [n, r.checks[n]])) }, 'not ready');
    if (details === 'none') return reply.status(r.ok ? 200 : 503).send({ status });
    return reply
      .status(r.ok ? 200 : 503)
      .send({ status, down: r.down, checks: details === 'full' ? r.checks : r.shown });
  });
}
