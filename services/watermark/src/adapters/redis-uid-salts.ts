import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { UidSalts } from '../domain/ports.js';

/**
 * One random 256-bit salt per scope (requester), created with SET NX so concurrent workers agree
 * on the first one. Kept without expiry: the instances of a study de-identified next month must
 * map like today's. Losing Redis's data only means later copies get other UIDs (no leak).
 */
export class RedisUidSalts implements UidSalts {
  constructor(private readonly redis: Redis) {}

  async saltFor(scope: string): Promise<string> {
    const key = `watermark:deid-salt:${scope}`;
    await this.redis.set(key, randomBytes(32).toString('hex'), 'NX');
    const salt = await this.redis.get(key);
    if (!salt) throw new Error('de-identification salt missing after SET NX');
    return salt;
  }
}
