import type { Redis } from 'ioredis';

/**
 * Port: answers whether a verified token must still be refused, so logout and deactivation
 * take effect at once although access tokens are stateless and valid until they expire.
 */
export interface RevocationChecker {
  isRevoked(p: { jti: string; userId: string; iat: number; sessionId?: string }): Promise<boolean>;
}

export interface RevocationStore extends RevocationChecker {
  revokeToken(jti: string, ttlSeconds: number): Promise<void>;
  revokeSession(sessionId: string, ttlSeconds: number): Promise<void>;
  /** Every token of the user issued before now stops working (deactivation, role change). */
  revokeUserTokensBefore(userId: string, epochSeconds: number, ttlSeconds: number): Promise<void>;
}

/** What a revocation push says; RevocationWatcher ends the long-lived connections it matches. */
export type RevocationNotice =
  | { kind: 'token'; jti: string }
  | { kind: 'session'; sessionId: string }
  | { kind: 'user'; userId: string; notBefore: number };

type Revocable = { jti: string; userId: string; iat: number; sessionId?: string };

/** Redis pub/sub channel RedisRevocationStore pushes every revocation on. */
export const revocationChannel = (prefix = 'auth') => `${prefix}:revocations`;

/** Same rules as RedisRevocationStore.isRevoked, applied to one pushed notice. */
export function noticeRevokes(n: RevocationNotice, p: Revocable): boolean {
  if (n.kind === 'token') return n.jti === p.jti;
  if (n.kind === 'session') return p.sessionId !== undefined && n.sessionId === p.sessionId;
  return n.userId === p.userId && p.iat < n.notBefore;
}

/**
 * Revocation marks in Redis, checked on every request. Each mark is also pushed on
 * `revocationChannel` so that connections outliving their request check (SSE streams) end at
 * once instead of at the token's expiry. The mark is written before the push: whoever re-checks
 * on receiving the push sees it.
 */
export class RedisRevocationStore implements RevocationStore {
  private readonly local: ((notice: RevocationNotice) => void)[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'auth',
  ) {}

  /**
   * Called synchronously for each revocation this process makes (after the mark is written,
   * before the push): a cache here must not wait for its own push to come back.
   */
  onRevoke(fn: (notice: RevocationNotice) => void): void {
    this.local.push(fn);
  }

  private async push(notice: RevocationNotice) {
    for (const fn of this.local) fn(notice);
    await this.redis.publish(revocationChannel(this.prefix), JSON.stringify(notice));
  }

  async isRevoked(p: Revocable) {
    const keys = [`${this.prefix}:revoked:jti:${p.jti}`, `${this.prefix}:user:${p.userId}:not-before`];
    if (p.sessionId) keys.push(`${this.prefix}:revoked:session:${p.sessionId}`);
    const values = await this.redis.mget(...keys);
    if (values[0] || values[2]) return true;
    const notBefore = Number(values[1] ?? 0);
    return notBefore > 0 && p.iat < notBefore;
  }

  async revokeToken(jti: string, ttlSeconds: number) {
    await this.redis.set(`${this.prefix}:revoked:jti:${jti}`, '1', 'EX', Math.max(1, ttlSeconds));
    await this.push({ kind: 'token', jti });
  }

  async revokeSession(sessionId: string, ttlSeconds: number) {
    await this.redis.set(`${this.prefix}:revoked:session:${sessionId}`, '1', 'EX', Math.max(1, ttlSeconds));
    await this.push({ kind: 'session', sessionId });
  }

  async revokeUserTokensBefore(userId: string, epochSeconds: number, ttlSeconds: number) {
    await this.redis.set(
      `${this.prefix}:user:${userId}:not-before`,
      String(epochSeconds),
      'EX',
      Math.max(1, ttlSeconds),
    );
    await this.push({ kind: 'user', userId, notBefore: epochSeconds });
  }
}

export class NoRevocation implements RevocationChecker {
  async isRevoked() {
    return false;
  }
}
