import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../errors/index.js';
import { backoffDelay, sleep } from '../retry/index.js';

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * Per-key mutual exclusion in Redis (SET NX PX + compare-and-delete release).
 *
 * WHY: FerretDB v1 (sqlite handler) does not apply single-document updates atomically under
 * concurrency: measured here, two concurrent `$inc`s lose one about half the time, and two
 * `findOneAndUpdate`s conditional on the same revision both succeed. Writes that must not lose
 * each other (a file document, a link counter, a user's outbox) therefore run under this lock.
 */
export class KeyedLock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly opts: { ttlMs: number; waitMs: number } = { ttlMs: 15_000, waitMs: 10_000 },
  ) {}

  async with<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const k = `${this.prefix}:${key}`;
    const token = randomBytes(12).toString('hex');
    const deadline = Date.now() + this.opts.waitMs;
    // Polls until the deadline (not a number of attempts): short jittered waits, so a lock freed
    // after 3 ms is taken after ~5, and two waiters do not retry in step.
    for (let attempt = 1; ; attempt++) {
      if ((await this.redis.set(k, token, 'PX', this.opts.ttlMs, 'NX')) === 'OK') break;
      if (Date.now() > deadline) throw new AppError('CONFLICT', 'Resource is busy, retry', { retryable: true });
      await sleep(5 + backoffDelay(attempt, { baseMs: 5, maxMs: 100, jitter: 'full' }));
    }
    try {
      return await fn();
    } finally {
      await this.redis.eval(RELEASE, 1, k, token).catch(() => undefined);
    }
  }
}
