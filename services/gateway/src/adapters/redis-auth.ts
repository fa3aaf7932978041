import type { Redis } from 'ioredis';
import type {
  ConsumeResult,
  LoginThrottle,
  NotBeforeReader,
  RefreshTokenStore,
  ThrottleKeys,
} from '../domain/ports.js';
import { guard } from './guard.js';

/**
 * Refresh-token families in Redis. Records are kept (marked used) until they expire, so a
 * replayed token is recognised as reuse rather than as an unknown token.
 *   auth:rt:<sha256>       -> {"u":userId,"s":sessionId}
 *   auth:rt:<sha256>:used  -> "1" (SET NX: exactly one redeemer)
 *   auth:rtf:<sessionId>   -> userId while the family is alive
 */
export class RedisRefreshTokenStore implements RefreshTokenStore {
  constructor(private readonly redis: Redis) {}

  issue(rec: { hash: string; userId: string; sessionId: string }, ttl: number) {
    return guard('redis', async () => {
      await this.redis
        .multi()
        .set(`auth:rt:${rec.hash}`, JSON.stringify({ u: rec.userId, s: rec.sessionId }), 'EX', ttl)
        .set(`auth:rtf:${rec.sessionId}`, rec.userId, 'EX', ttl)
        .exec();
    });
  }

  consume(hash: string): Promise<ConsumeResult> {
    return guard('redis', async () => {
      const key = `auth:rt:${hash}`;
      const raw = await this.redis.get(key);
      if (!raw) return { status: 'unknown' };
      const { u: userId, s: sessionId } = JSON.parse(raw) as { u: string; s: string };
      const ttl = Math.max(1, await this.redis.ttl(key));
      const first = await this.redis.set(`${key}:used`, '1', 'EX', ttl, 'NX');
      if (first !== 'OK') return { status: 'reused', userId, sessionId };
      const alive = await this.redis.exists(`auth:rtf:${sessionId}`);
      return { status: alive ? 'ok' : 'revoked', userId, sessionId };
    });
  }

  revokeFamily(sessionId: string) {
    return guard('redis', async () => {
      await this.redis.del(`auth:rtf:${sessionId}`);
    });
  }
}

/**
 * Failed logins in fixed windows: per account (email hash) a counter of failures, per IP the set
 * of distinct accounts that failed from it. Repeated failures against one account are the account
 * limit's business; the IP limit catches spraying many accounts (and does not lock out an office
 * behind one NAT address because one person keeps mistyping).
 */
export class RedisLoginThrottle implements LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly o: { maxPerAccount: number; maxPerIp: number; windowSeconds: number },
  ) {}

  private keys(k: ThrottleKeys) {
    return { acct: `auth:login-fail:acct:${k.account}`, ip: `auth:login-fail:ipset:${k.ip}` };
  }

  blocked(k: ThrottleKeys) {
    return guard('redis', async () => {
      const { acct, ip } = this.keys(k);
      const [[, a], [, i]] = (await this.redis.multi().get(acct).scard(ip).exec()) as [
        [null, string | null],
        [null, number],
      ];
      const over: string[] = [];
      if (Number(a ?? 0) >= this.o.maxPerAccount) over.push(acct);
      if (Number(i ?? 0) >= this.o.maxPerIp) over.push(ip);
      if (over.length === 0) return { blocked: false, retryAfterSeconds: 0 };
      const ttls = await Promise.all(over.map((key) => this.redis.ttl(key)));
      return { blocked: true, retryAfterSeconds: Math.max(1, ...ttls) };
    });
  }

  recordFailure(k: ThrottleKeys) {
    return guard('redis', async () => {
      const { acct, ip } = this.keys(k);
      await this.redis
        .multi()
        .incr(acct)
        .expire(acct, this.o.windowSeconds, 'NX')
        .sadd(ip, k.account)
        .expire(ip, this.o.windowSeconds, 'NX')
        .exec();
    });
  }

  reset(account: string) {
    return guard('redis', async () => {
      await this.redis.del(`auth:login-fail:acct:${account}`);
    });
  }
}

/** Reads the mark RedisRevocationStore.revokeUserTokensBefore writes (same key layout). */
export class RedisNotBeforeReader implements NotBeforeReader {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'auth',
  ) {}

  notBefore(userId: string) {
    return guard('redis', async () => Number((await this.redis.get(`${this.prefix}:user:${userId}:not-before`)) ?? 0));
  }
}
