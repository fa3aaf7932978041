import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export interface Startable {
  start(): void;
  stop(): Promise<void>;
}

export interface RunOptions {
  app: FastifyInstance;
  host: string;
  port: number;
  logger: Logger;
  /** Queue consumers and background jobs (outbox relay, purge) started after listen. */
  workers?: Startable[];
  /** Closes clients (Mongo, Redis, AWS) after the app and workers have drained. */
  close?: () => Promise<void>;
  /** Hard limit for draining; past it the process exits non-zero. */
  drainTimeoutMs?: number;
  /**
   * How long the server keeps answering (readiness 503, `Connection: close` on every response)
   * before it stops accepting: lets load balancers and keep-alive clients move away first.
   */
  drainDelayMs?: number;
}

/**
 * Listens, starts workers, and on SIGTERM/SIGINT drains in order: readiness turns 503, workers
 * stop polling and finish in-flight messages (nothing is acked unprocessed), the server stops
 * accepting and finishes in-flight requests, then clients close.
 */
export async function runService(opts: RunOptions): Promise<void> {
  const { app, logger } = opts;
  await app.listen({ host: opts.host, port: opts.port });
  for (const w of opts.workers ?? []) w.start();
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('drain timed out, exiting');
      process.exit(1);
    }, opts.drainTimeoutMs ?? 30_000);
    timer.unref();
    try {
      // Absent on an app not built on the base app (an admin listener).
      if (app.hasDecorator('shutdownState')) app.shutdownState.shuttingDown = true;
      await new Promise((r) => setTimeout(r, opts.drainDelayMs ?? 1000));
      await Promise.all((opts.workers ?? []).map((w) => w.stop()));
      await app.close();
      await opts.close?.();
      logger.info('shutdown complete');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/** Entry-point guard: logs the reason a service cannot start (e.g. bad config) and exits 1. */
export function startOrExit(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: `failed to start: ${msg}` })}\n`);
    process.exit(1);
  });
}
