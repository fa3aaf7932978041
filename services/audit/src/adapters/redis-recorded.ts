import type { Redis } from 'ioredis';
import type { RecordedEvents } from '../domain/ports.js';

// Longer than SQS's maximum retention (14 days): a late redelivery is still recognised here.
const TTL_SECONDS = 15 * 24 * 3600;

/** Recorded event ids per chain (scoped by database name) in Redis. */
export class RedisRecordedEvents implements RecordedEvents {
  constructor(
    private readonly redis: Redis,
    private readonly scope: string,
  ) {}

  private key(id: string) {
    return `audit:recorded:${this.scope}:${id}`;
  }

  async recorded(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const found = await this.redis.mget(ids.map((id) => this.key(id)));
    return new Set(ids.filter((_, i) => found[i] !== null));
  }

  async remember(ids: string[]): Promise<void> {
    const m = this.redis.multi();
    for (const id of ids) m.set(this.key(id), '1', 'EX', TTL_SECONDS);
    await m.exec();
  }
}
