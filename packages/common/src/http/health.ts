import type { FastifyInstance } from 'fastify';

/** A readiness check: resolves when the dependency answers, rejects (or times out) when not. */
export interface DependencyCheck {
  name: string;
  check: () => Promise<unknown>;
  /** Optional details surfaced on /health/ready when healthy (e.g. ClamAV database version). */
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

/**
 * /health/live answers as long as the event loop runs; /health/ready checks every real
 * dependency and answers 503 naming the ones that are down, so a load balancer stops routing
 * to an instance that cannot serve. While shutting down, ready turns 503 first.
 */
export function registerHealth(app: FastifyInstance, checks: DependencyCheck[], state: { shuttingDown: boolean }) {
  app.get('/health/live', { logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { logLevel: 'warn' }, async (req, reply) => {
    if (state.shuttingDown) return reply.status(503).send({ status: 'shutting_down', down: [], checks: {} });
    const r = await runChecks(checks);
    // Probes reach this without credentials: the response names what is down, the error text
    // (addresses, ports, driver messages) goes to the log only.
    if (!r.ok) req.log.warn({ down: Object.fromEntries(r.down.map((n) => [n, r.checks[n]])) }, 'not ready');
    return reply.status(r.ok ? 200 : 503).send({ status: r.ok ? 'ok' : 'unavailable', down: r.down, checks: r.shown });
  });
}
