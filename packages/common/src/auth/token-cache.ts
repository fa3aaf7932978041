import type { Redis } from 'ioredis';
import type { Principal } from './principal.js';
import { revocationChannel } from './revocation.js';

interface Entry {
  principal: Principal;
  /** ms since epoch after which the entry is not used (token expiry, or the cache's own bound). */
  until: number;
}

export interface TokenCacheOptions {
  /** Entries kept at most (oldest dropped first). */
  maxEntries?: number;
  /** Longest an entry is trusted without a fresh check, whatever the token's lifetime. */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * The outcome of verifying an access token (signature, claims, revocation marks), reused for
 * later requests carrying the same token.
 *
 * WHY: every request through the gateway verified an Ed25519 signature and read three revocation
 * keys from Redis, for a token that was checked a moment before. What makes a cached "valid"
 * wrong is a revocation, and every revocation is pushed (RedisRevocationStore publishes each
 * mark): the cache has a revocation epoch, bumped by each push (and by each revocation this
 * process makes itself, synchronously), and an entry stored under an older epoch is not used.
 * A pushed notice that might have been missed (subscriber disconnected) turns the cache off
 * until the subscription is back, and then it starts empty. An entry never outlives its token
 * (exp) nor `maxAgeMs`.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  private current = 0;
  private live = false;
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(o: TokenCacheOptions = {}) {
    this.maxEntries = o.maxEntries ?? 50_000;
    this.maxAgeMs = o.maxAgeMs ?? 60_000;
    this.now = o.now ?? Date.now;
  }

  /** The epoch to pass to `set` for a check that starts now. */
  get epoch(): number {
    return this.current;
  }

  /** Whether revocations currently reach the cache (so it may be used). */
  get enabled(): boolean {
    return this.live;
  }

  get size(): number {
    return this.entries.size;
  }

  /** A revocation happened (pushed, or made here): nothing verified before it is reused. */
  invalidate(): void {
    this.current++;
    this.entries.clear();
  }

  /** Pushes are (not) being received; either way what was cached may have missed one. */
  setLive(live: boolean): void {
    this.live = live;
    this.invalidate();
  }

  get(token: string): Principal | undefined {
    if (!this.live) return undefined;
    const e = this.entries.get(token);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return e.principal;
  }

  /**
   * Stores a token found valid by a check that started at `epoch`: a revocation pushed while the
   * check ran (the epoch moved) means its answer may be stale, so it is not kept.
   */
  set(token: string, principal: Principal, epoch: number): void {
    if (!this.live || epoch !== this.current) return;
    const until = Math.min(principal.exp * 1000, this.now() + this.maxAgeMs);
    if (until <= this.now()) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { principal, until });
  }
}

/**
 * Feeds a VerifiedTokenCache from the revocation channel on a dedicated subscriber connection:
 * every notice bumps the epoch; the cache is live only while subscribed (a disconnect turns it
 * off; after ioredis reconnects, it is live again once the SUBSCRIBE is confirmed, starting empty).
 */
export async function followRevocations(subscriber: Redis, cache: VerifiedTokenCache, prefix?: string) {
  const channel = revocationChannel(prefix);
  subscriber.on('message', (ch: string) => {
    if (ch === channel) cache.invalidate();
  });
  const off = () => cache.setLive(false);
  subscriber.on('close', off);
  subscriber.on('end', off);
  subscriber.on('reconnecting', off);
  subscriber.on('ready', () => {
    // A failed SUBSCRIBE leaves the cache as the last disconnect left it: off.
    subscriber.subscribe(channel).then(
      () => cache.setLive(true),
      () => undefined,
    );
  });
  await subscriber.subscribe(channel);
  cache.setLive(true);
}
