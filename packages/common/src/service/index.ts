import type { SQSClient } from '@aws-sdk/client-sqs';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createEventConsumer, type EventConsumer, type EventConsumerOptions } from '../bus/consumer.js';
import type { IdempotencyStore } from '../bus/idempotency.js';
import { runService, type Startable, startOrExit } from '../http/lifecycle.js';

/** What runServiceMain needs of a service's deps (its composition root's result). */
export interface ServiceDeps {
  logger: Logger;
  /** Closes every client after the app and the workers have drained. */
  close(): Promise<void>;
}

export interface ServiceMainOptions<C, D extends ServiceDeps> {
  service: string;
  /** Reads and validates the environment (the service's config.ts). */
  loadConfig: () => C;
  /** The composition root (deps.ts). */
  buildDeps: (config: C) => D | Promise<D>;
  /** The HTTP app (app.ts): never reads the environment, never listens. */
  buildApp: (deps: D) => Promise<FastifyInstance>;
  /** Where the app listens, from the config. */
  listen: (config: C) => { host: string; port: number };
  /**
   * Queue consumers, background jobs and extra listeners: started after the app listens, stopped
   * (in-flight work finished) before the app closes. May do async set-up (bind a second listener).
   */
  workers?: (deps: D, app: FastifyInstance) => Startable[] | Promise<Startable[]>;
  /** Extra fields of the "starting" log line (ports, TLS). */
  startLog?: (config: C) => Record<string, unknown>;
  drainTimeoutMs?: number;
  drainDelayMs?: number;
}

/**
 * The whole of a service's main.ts: load config, build deps and app, listen, start the workers,
 * and on SIGTERM/SIGINT drain (readiness 503, workers stop, app closes) and close the deps.
 * A failure to start (bad config, unreadable key) is logged as one fatal line and exits 1.
 */
export function runServiceMain<C, D extends ServiceDeps>(o: ServiceMainOptions<C, D>): void {
  startOrExit(async () => {
    const config = o.loadConfig();
    const deps = await o.buildDeps(config);
    const app = await o.buildApp(deps);
    const workers = (await o.workers?.(deps, app)) ?? [];
    const { host, port } = o.listen(config);
    deps.logger.info({ port, ...o.startLog?.(config) }, `${o.service} starting`);
    await runService({
      app,
      host,
      port,
      logger: deps.logger,
      workers,
      close: () => deps.close(),
      ...(o.drainTimeoutMs ? { drainTimeoutMs: o.drainTimeoutMs } : {}),
      ...(o.drainDelayMs !== undefined ? { drainDelayMs: o.drainDelayMs } : {}),
    });
  });
}

/** What a service's deps carry for its queue consumer. */
export interface QueueDeps {
  logger: Logger;
  sqs: SQSClient;
  queueUrl: string;
  idempotency: IdempotencyStore;
}

/**
 * The service's queue consumer from its deps: `queueConsumer(SERVICE, deps, buildHandlers(deps))`,
 * tuning (batchSize, stopTimeoutMs...) in `extra`.
 */
export function queueConsumer(
  service: string,
  deps: QueueDeps,
  handlers: EventConsumerOptions['handlers'],
  extra: Partial<Omit<EventConsumerOptions, 'handlers'>> = {},
): EventConsumer {
  return createEventConsumer({
    name: service,
    sqs: deps.sqs,
    queueUrl: deps.queueUrl,
    idempotency: deps.idempotency,
    logger: deps.logger,
    handlers,
    ...extra,
  });
}

/** A worker that only has something to stop (a second listener, a background promise). */
export function stopOnly(stop: () => unknown): Startable {
  return {
    start() {},
    async stop() {
      await stop();
    },
  };
}

export type { Startable } from '../http/lifecycle.js';
