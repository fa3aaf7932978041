import type { Redis } from 'ioredis';
import type { RateLimiter } from '../domain/ports.js';

/** Fixed-window message counter per user, shared by every instance. */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly max: number,
    private readonly windowSeconds: number,
  ) {}

  async hit(userId: string): Promise<boolean> {
    const window = Math.floor(Date.now() / (this.windowSeconds * 1000));
    const k = `chat:rate:${userId}:${window}`;
    const [[, n] = []] =
      (await this.redis
        .multi()
        .incr(k)
        .expire(k, this.windowSeconds + 1)
        .exec()) ?? [];
    return Number(n) <= this.max;
  }
}
