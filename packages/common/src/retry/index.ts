/**
 * The one retry/backoff helper of the platform. Every loop that waits and tries again (start-up
 * work while a database is down, a lock held by someone else, a failed publish, an SQS redelivery)
 * computes its delay with `backoffDelay` and, when it runs the attempts itself, uses `retry`.
 */

export interface BackoffOptions {
  /** Delay before the second attempt (attempt 1 failed). */
  baseMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  /** Growth per failed attempt (default 2: exponential). */
  factor?: number;
  /**
   * 'none' (default): exact delays. 'full': uniform in [0, delay] (AWS "full jitter"), spreads
   * many clients retrying the same dependency. 'upper': uniform in [delay/2, delay], keeps a floor.
   */
  jitter?: 'none' | 'full' | 'upper';
}

/** Delay after the `attempt`-th failure (1-based): min(max, base * factor^(attempt-1)), jittered. */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const exp = Math.min(o.maxMs, o.baseMs * (o.factor ?? 2) ** Math.max(0, attempt - 1));
  switch (o.jitter ?? 'none') {
    case 'full':
      return Math.floor(random() * exp);
    case 'upper':
      return Math.floor(exp / 2 + random() * (exp / 2));
    default:
      return exp;
  }
}

export interface RetryOptions extends BackoffOptions {
  /** Total attempts including the first; Infinity retries until success or abort. Default 3. */
  attempts?: number;
  /** Whether a failure is worth another attempt (default: every failure). */
  retryable?: (err: unknown) => boolean;
  /** Called before each wait, e.g. to log (`attempt` is the attempt that just failed). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Stops waiting at once: `retry` then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Injected for tests; defaults to a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `fn` until it resolves, a failure is not retryable, the attempts are used up (the last
 * error is thrown) or the signal aborts (its reason is thrown).
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const attempts = o.attempts ?? 3;
  const wait = o.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    if (o.signal?.aborted) throw o.signal.reason;
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= attempts || (o.retryable && !o.retryable(err))) throw err;
      const delay = backoffDelay(attempt, o);
      o.onRetry?.(err, attempt, delay);
      await wait(delay, o.signal);
    }
  }
}

/**
 * `fn` run once, its promise shared by every caller; a failure is forgotten, so the next call tries
 * again instead of answering from the failed attempt (index creation while the database is down).
 */
export function onceSucceeded<T>(fn: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= fn().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

/** What a compare-and-set attempt returns when its conditional write matched nothing: another writer won. */
export const LOST_RACE: unique symbol = Symbol('lost race');

export interface CompareAndSetOptions<T> extends Partial<BackoffOptions> {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The answer once every attempt lost (throw a retryable CONFLICT, or a value such as `false`). */
  exhausted: () => T;
}

/**
 * The compare-and-set loop, on `retry`: `attempt` reads, decides and writes only if nothing changed
 * since its read; it returns `LOST_RACE` when the write matched nothing, and is run again on a fresh
 * read. By default at once (the winner's write is done, the loser only re-reads); give `baseMs`,
 * `maxMs` and `jitter` to spread many racers. Any error of `attempt` ends the loop as it is.
 */
export async function compareAndSet<T>(attempt: () => Promise<T | typeof LOST_RACE>, o: CompareAndSetOptions<T>) {
  const lost = new Error('lost the race');
  try {
    return await retry(
      async () => {
        const result = await attempt();
        if (result === LOST_RACE) throw lost;
        return result;
      },
      { baseMs: 0, maxMs: 0, ...o, retryable: (err) => err === lost },
    );
  } catch (err) {
    if (err === lost) return o.exhausted();
    throw err;
  }
}
