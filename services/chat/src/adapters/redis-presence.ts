import type { Redis } from 'ioredis';
import type { Presence } from '../domain/ports.js';

const key = (userId: string) => `chat:online:${userId}`;

/**
 * Who has a stream open on any instance: one sorted set per user of connection ids scored by
 * their expiry, refreshed by each stream's heartbeat. A crashed instance's entries simply expire.
 */
export class RedisPresence implements Presence {
  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
  ) {}

  async touch(userId: string, connectionId: string): Promise<void> {
    const k = key(userId);
    await this.redis
      .multi()
      .zadd(k, Date.now() + this.ttlMs, connectionId)
      .pexpire(k, this.ttlMs)
      .exec();
  }

  async leave(userId: string, connectionId: string): Promise<void> {
    await this.redis.zrem(key(userId), connectionId);
  }

  async online(ids: string[]): Promise<Set<string>> {
    const now = Date.now();
    const counts = await Promise.all(ids.map((id) => this.redis.zcount(key(id), now, '+inf')));
    return new Set(ids.filter((_, i) => (counts[i] ?? 0) > 0));
  }
}
