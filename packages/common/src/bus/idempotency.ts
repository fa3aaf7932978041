import type { Redis } from 'ioredis';

/**
 * Port: remembers which events a consumer has finished, and leases an event while one
 * instance handles it so two instances never run the same event concurrently.
 */
export interface IdempotencyStore {
  isDone(consumer: string, eventId: string): Promise<boolean>;
  /** True when this caller now holds the lease; false when another holder has it. */
  acquire(consumer: string, eventId: string, ttlSeconds: number): Promise<boolean>;
  /** Keeps a held lease alive while its handler runs (a killed holder's lease then lapses soon). */
  extend(consumer: string, eventId: string, ttlSeconds: number): Promise<void>;
  markDone(consumer: string, eventId: string): Promise<void>;
  release(consumer: string, eventId: string): Promise<void>;
}

// Longer than SQS's maximum retention (14 days) so a late redelivery is still recognised.
const DONE_TTL_SECONDS = 15 * 24 * 3600;

export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'idem',
  ) {}

  private key(kind: string, consumer: string, id: string) {
    return `${this.prefix}:${kind}:${consumer}:${id}`;
  }

  async isDone(consumer: string, eventId: string) {
    return (await this.redis.exists(this.key('done', consumer, eventId))) === 1;
  }

  async acquire(consumer: string, eventId: string, ttlSeconds: number) {
    const ok = await this.redis.set(this.key('lease', consumer, eventId), '1', 'EX', ttlSeconds, 'NX');
    return ok === 'OK';
  }

  async extend(consumer: string, eventId: string, ttlSeconds: number) {
    await this.redis.expire(this.key('lease', consumer, eventId), ttlSeconds);
  }

  async markDone(consumer: string, eventId: string) {
    await this.redis
      .multi()
      .set(this.key('done', consumer, eventId), '1', 'EX', DONE_TTL_SECONDS)
      .del(this.key('lease', consumer, eventId))
      .exec();
  }

  async release(consumer: string, eventId: string) {
    await this.redis.del(this.key('lease', consumer, eventId));
  }
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly done = new Set<string>();
  private readonly leases = new Set<string>();
  async isDone(c: string, id: string) {
    return this.done.has(`${c}:${id}`);
  }
  async acquire(c: string, id: string) {
    const k = `${c}:${id}`;
    if (this.leases.has(k)) return false;
    this.leases.add(k);
    return true;
  }
  async extend() {}
  async markDone(c: string, id: string) {
    this.done.add(`${c}:${id}`);
    this.leases.delete(`${c}:${id}`);
  }
  async release(c: string, id: string) {
    this.leases.delete(`${c}:${id}`);
  }
}
