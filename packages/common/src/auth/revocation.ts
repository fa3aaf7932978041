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

export class RedisRevocationStore implements RevocationStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'auth',
  ) {}

  async isRevoked(p: { jti: string; userId: string; iat: number; sessionId?: string }) {
    const keys = [`${this.prefix}:revoked:jti:${p.jti}`, `${this.prefix}:user:${p.userId}:not-before`];
    if (p.sessionId) keys.push(`${this.prefix}:revoked:session:${p.sessionId}`);
    const values = await this.redis.mget(...keys);
    if (values[0] || values[2]) return true;
    const notBefore = Number(values[1] ?? 0);
    return notBefore > 0 && p.iat < notBefore;
  }

  async revokeToken(jti: string, ttlSeconds: number) {
    await this.redis.set(`${this.prefix}:revoked:jti:${jti}`, '1', 'EX', Math.max(1, ttlSeconds));
  }

  async revokeSession(sessionId: string, ttlSeconds: number) {
    await this.redis.set(`${this.prefix}:revoked:session:${sessionId}`, '1', 'EX', Math.max(1, ttlSeconds));
  }

  async revokeUserTokensBefore(userId: string, epochSeconds: number, ttlSeconds: number) {
    await this.redis.set(
      `${this.prefix}:user:${userId}:not-before`,
      String(epochSeconds),
      'EX',
      Math.max(1, ttlSeconds),
    );
  }
}

export class NoRevocation implements RevocationChecker {
  async isRevoked() {
    return false;
  }
}
