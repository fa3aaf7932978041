import type { Redis } from 'ioredis';
import { type BackoffPolicy, backoffSeconds } from '../domain/login-backoff.js';
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

export interface LoginThrottleOptions extends BackoffPolicy {
  /** Distinct accounts failing from one source before the source is refused (password spraying). */
  maxAccountsPerSource: number;
  /** Failures on one account, from any source, before every attempt on it is slowed. */
  slowAfter: number;
  slowMs: number;
  /** Lifetime of the counters (sliding for a pair, fixed for the source and account counters). */
  windowSeconds: number;
}

/**
 * Login throttling in Redis (fails closed: a Redis error is a 503, never an unthrottled login).
 *   auth:login:pair:<acct>:<src>   failures of this source on this account (sliding window)
 *   auth:login:block:<acct>:<src>  present while the pair backs off (TTL = the back-off)
 *   auth:login:src:<src>           set of accounts that failed from this source (spraying)
 *   auth:login:acct:<acct>         failures on the account from anywhere (slow-down only)
 * Nothing here is keyed on the account alone with a refusal attached: a stranger cannot lock the
 * owner out, whatever they send.
 */
export class RedisLoginThrottle implements LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly o: LoginThrottleOptions,
  ) {}

  private keys(k: ThrottleKeys) {
    return {
      pair: `auth:login:pair:${k.account}:${k.source}`,
      block: `auth:login:block:${k.account}:${k.source}`,
      src: `auth:login:src:${k.source}`,
      acct: `auth:login:acct:${k.account}`,
    };
  }

  check(k: ThrottleKeys) {
    return guard('redis', async () => {
      const key = this.keys(k);
      const [[, blockMs], [, accounts], [, srcTtl], [, acctFailures]] = (await this.redis
        .multi()
        .pttl(key.block)
        .scard(key.src)
        .ttl(key.src)
        .get(key.acct)
        .exec()) as [[null, number], [null, number], [null, number], [null, string | null]];
      const waits: number[] = [];
      if (blockMs > 0) waits.push(Math.ceil(blockMs / 1000));
      if (accounts >= this.o.maxAccountsPerSource) waits.push(Math.max(1, srcTtl));
      const slowMs = Number(acctFailures ?? 0) >= this.o.slowAfter ? this.o.slowMs : 0;
      return { blocked: waits.length > 0, retryAfterSeconds: waits.length ? Math.max(...waits) : 0, slowMs };
    });
  }

  recordFailure(k: ThrottleKeys) {
    return guard('redis', async () => {
      const key = this.keys(k);
      const w = this.o.windowSeconds;
      const [[, failures]] = (await this.redis
        .multi()
        .incr(key.pair)
        .expire(key.pair, w)
        .sadd(key.src, k.account)
        .expire(key.src, w, 'NX')
        .incr(key.acct)
        .expire(key.acct, w, 'NX')
        .exec()) as [[null, number]];
      const wait = backoffSeconds(failures, this.o);
      if (wait > 0) await this.redis.set(key.block, '1', 'EX', wait);
    });
  }

  recordSuccess(k: ThrottleKeys) {
    return guard('redis', async () => {
      const key = this.keys(k);
      await this.redis.del(key.pair, key.block);
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
