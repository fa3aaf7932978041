import type { RevocationStore } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import type { Envelope } from '@medvault/common/events';
import type {
  ConsumeResult,
  EventSink,
  LoginThrottle,
  NotBeforeReader,
  RefreshTokenStore,
  ThrottleKeys,
  UserQuery,
  UserRecord,
  UserRepository,
} from './ports.js';

/** In-memory implementations of the gateway's own ports, for unit tests of the domain only. */
export class MemoryUsers implements UserRepository {
  readonly byId = new Map<string, UserRecord>();
  /** Events stored with the changes (the outbox), in write order. */
  readonly outbox: Envelope[] = [];
  async insert(u: UserRecord, events: Envelope[] = []) {
    if ([...this.byId.values()].some((x) => x.email === u.email)) throw new AppError('CONFLICT', 'taken');
    this.byId.set(u.id, { ...u });
    this.outbox.push(...events);
  }
  async findById(id: string) {
    return this.byId.get(id) ?? null;
  }
  async findByEmail(email: string) {
    return [...this.byId.values()].find((u) => u.email === email) ?? null;
  }
  async list(q: UserQuery) {
    return [...this.byId.values()]
      .filter(
        (u) =>
          (!q.role || u.role === q.role) &&
          (q.active === undefined || u.active === q.active) &&
          (!q.after || u.id > q.after),
      )
      .sort((a, b) => a.id.localeCompare(b.id))
      .slice(0, q.limit);
  }
  async update(id: string, patch: Partial<UserRecord>, events: Envelope[] = []) {
    const u = this.byId.get(id);
    if (!u) return null;
    Object.assign(u, patch);
    this.outbox.push(...events);
    return u;
  }
}

export class MemoryRefresh implements RefreshTokenStore {
  readonly tokens = new Map<string, { userId: string; sessionId: string; used: boolean }>();
  readonly families = new Set<string>();
  async issue(rec: { hash: string; userId: string; sessionId: string }) {
    this.tokens.set(rec.hash, { userId: rec.userId, sessionId: rec.sessionId, used: false });
    this.families.add(rec.sessionId);
  }
  async consume(hash: string): Promise<ConsumeResult> {
    const t = this.tokens.get(hash);
    if (!t) return { status: 'unknown' };
    if (t.used) return { status: 'reused', userId: t.userId, sessionId: t.sessionId };
    t.used = true;
    return { status: this.families.has(t.sessionId) ? 'ok' : 'revoked', userId: t.userId, sessionId: t.sessionId };
  }
  async revokeFamily(sessionId: string) {
    this.families.delete(sessionId);
  }
}

/** Per (account, source) failures with a fixed 60 s refusal past `max`; no spraying or slow-down rules. */
export class MemoryThrottle implements LoginThrottle {
  readonly failures = new Map<string, number>();
  constructor(private readonly max: number) {}
  private key(k: ThrottleKeys) {
    return `${k.account}|${k.source}`;
  }
  async check(k: ThrottleKeys) {
    const blocked = (this.failures.get(this.key(k)) ?? 0) >= this.max;
    return { blocked, retryAfterSeconds: blocked ? 60 : 0, slowMs: 0 };
  }
  async recordFailure(k: ThrottleKeys) {
    this.failures.set(this.key(k), (this.failures.get(this.key(k)) ?? 0) + 1);
  }
  async recordSuccess(k: ThrottleKeys) {
    this.failures.delete(this.key(k));
  }
}

export class MemoryRevocation implements RevocationStore, NotBeforeReader {
  readonly jtis = new Set<string>();
  readonly sessions = new Set<string>();
  readonly notBefores = new Map<string, number>();
  async isRevoked(p: { jti: string; userId: string; iat: number; sessionId?: string }) {
    return (
      this.jtis.has(p.jti) ||
      (p.sessionId ? this.sessions.has(p.sessionId) : false) ||
      p.iat < (this.notBefores.get(p.userId) ?? 0)
    );
  }
  async revokeToken(jti: string) {
    this.jtis.add(jti);
  }
  async revokeSession(sessionId: string) {
    this.sessions.add(sessionId);
  }
  async revokeUserTokensBefore(userId: string, epochSeconds: number) {
    this.notBefores.set(userId, epochSeconds);
  }
  async notBefore(userId: string) {
    return this.notBefores.get(userId) ?? 0;
  }
}

export class MemorySink implements EventSink {
  readonly events: Envelope[] = [];
  enqueue(e: Envelope) {
    this.events.push(e);
  }
  types() {
    return this.events.map((e) => e.type);
  }
}
