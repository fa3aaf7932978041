import type { Logger } from '@medvault/common/logger';
import { retry } from '@medvault/common/retry';
import type { Startable } from '@medvault/common/service';

/**
 * Runs the start-up use case (deps.bootstrapAdmin) in the background until it succeeds: Mongo may
 * still be coming up, and the gateway listens and reports not-ready meanwhile. Backs off to 30 s;
 * stop() ends the waiting at once.
 */
export function bootstrapJob(
  run: () => Promise<string>,
  logger: Logger,
  o: { baseMs?: number; maxMs?: number } = {},
): Startable & { readonly done: Promise<void> } {
  const ac = new AbortController();
  let started: Promise<void> | undefined;
  return {
    start() {
      started ??= retry(run, {
        attempts: Number.POSITIVE_INFINITY,
        baseMs: o.baseMs ?? 1000,
        maxMs: o.maxMs ?? 30_000,
        signal: ac.signal,
        onRetry: (err, attempt) => logger.warn({ err, attempt }, 'bootstrap failed, retrying'),
      }).then(
        (result) => logger.info({ result }, 'bootstrap complete'),
        (err: unknown) => {
          if (!ac.signal.aborted) logger.error({ err }, 'bootstrap stopped');
        },
      );
    },
    async stop() {
      ac.abort(new Error('stopped'));
      await started;
    },
    get done() {
      return started ?? Promise.resolve();
    },
  };
}
