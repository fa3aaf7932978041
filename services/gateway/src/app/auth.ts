import { setTimeout as sleep } from 'node:timers/promises';
import type { AccessTokenSigner, Principal, RevocationStore } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { createEvent } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import { sourceOf } from '../domain/login-backoff.js';
import { dummyHash, verifyPassword } from '../domain/passwords.js';
import type {
  EventSink,
  LoginThrottle,
  NotBeforeReader,
  RefreshTokenStore,
  UserRecord,
  UserRepository,
} from '../domain/ports.js';
import { emailHash, hashRefreshToken, newRefreshToken } from '../domain/tokens.js';
import { normaliseEmail, type RequestContext } from '../domain/users.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface AuthServiceDeps {
  users: UserRepository;
  refresh: RefreshTokenStore;
  throttle: LoginThrottle;
  revocation: RevocationStore;
  notBefore: NotBeforeReader;
  signer: AccessTokenSigner;
  events: EventSink;
  refreshTtlSeconds: number;
  source: string;
}

/** One answer for unknown user, wrong password and inactive account: no account enumeration. */
const invalidCredentials = () => new AppError('UNAUTHENTICATED', 'Invalid email or password');

export class AuthService {
  constructor(private readonly d: AuthServiceDeps) {}

  async login(
    input: { email: string; password: string },
    ctx: RequestContext & { ip: string },
  ): Promise<TokenPair & { user: UserRecord }> {
    const hash = emailHash(input.email);
    const keys = { account: hash, source: sourceOf(ctx.ip) };
    const gate = await this.d.throttle.check(keys);
    if (gate.blocked) {
      this.emit('auth.login_failed', { reason: 'throttled', emailHash: hash }, ctx);
      throw new AppError('RATE_LIMITED', 'Too many failed logins, try again later', {
        headers: { 'retry-after': String(gate.retryAfterSeconds) },
        details: { retryAfterSeconds: gate.retryAfterSeconds },
      });
    }
    // An account failing from many sources is slowed for everyone, never locked: the owner
    // still gets in from a fresh source, a distributed guesser gets fewer tries per second.
    if (gate.slowMs > 0) await sleep(gate.slowMs);
    const user = await this.d.users.findByEmail(normaliseEmail(input.email));
    // Unknown users still pay for a full scrypt verification: equal timing, no enumeration.
    const passwordOk = await verifyPassword(input.password, user?.passwordHash ?? (await dummyHash()));
    if (!user || !passwordOk || !user.active) {
      await this.d.throttle.recordFailure(keys);
      const reason = user && passwordOk ? 'inactive' : 'invalid_credentials';
      this.emit('auth.login_failed', { reason, emailHash: hash, ...(user ? { userId: user.id } : {}) }, ctx);
      throw invalidCredentials();
    }
    await this.d.throttle.recordSuccess(keys);
    const pair = await this.issue(user, newId('session'));
    this.emit(
      'auth.login_succeeded',
      { userId: user.id, role: user.role },
      { ...ctx, actor: { ...ctx.actor, userId: user.id, role: user.role } },
    );
    return { ...pair, user };
  }

  async refresh(token: string, ctx: RequestContext): Promise<TokenPair> {
    const r = await this.d.refresh.consume(hashRefreshToken(token));
    if (r.status === 'unknown') throw new AppError('TOKEN_INVALID', 'Refresh token is invalid or expired');
    if (r.status === 'revoked') throw new AppError('TOKEN_REVOKED', 'Refresh token has been revoked');
    if (r.status === 'reused') {
      // A used token presented again means it leaked: kill the session and its access tokens.
      await this.revokeSession(r.sessionId);
      this.emit('auth.refresh_reused', { userId: r.userId, sessionId: r.sessionId }, ctx);
      throw new AppError('TOKEN_REVOKED', 'Refresh token was already used; the session has been revoked');
    }
    const user = await this.d.users.findById(r.userId);
    if (!user?.active) {
      await this.revokeSession(r.sessionId);
      throw new AppError('TOKEN_REVOKED', 'Refresh token has been revoked');
    }
    return this.issue(user, r.sessionId);
  }

  /** The access token and its whole refresh family stop working at once. */
  async logout(p: Principal, ctx: RequestContext): Promise<void> {
    const remaining = Math.max(1, p.exp - Math.floor(Date.now() / 1000));
    await this.d.revocation.revokeToken(p.jti, remaining);
    if (p.sessionId) await this.revokeSession(p.sessionId);
    this.emit('auth.logged_out', { userId: p.userId, ...(p.sessionId ? { sessionId: p.sessionId } : {}) }, ctx);
  }

  private async revokeSession(sessionId: string) {
    await this.d.refresh.revokeFamily(sessionId);
    await this.d.revocation.revokeSession(sessionId, this.d.signer.ttlSeconds + 60);
  }

  private async issue(user: UserRecord, sessionId: string): Promise<TokenPair> {
    const notBefore = await this.d.notBefore.notBefore(user.id);
    const access = this.d.signer.sign({ userId: user.id, role: user.role, sessionId, notBefore });
    const refreshToken = newRefreshToken();
    await this.d.refresh.issue(
      { hash: hashRefreshToken(refreshToken), userId: user.id, sessionId },
      this.d.refreshTtlSeconds,
    );
    return { accessToken: access.token, refreshToken, tokenType: 'Bearer', expiresIn: this.d.signer.ttlSeconds };
  }

  private emit<T extends 'auth.login_failed' | 'auth.login_succeeded' | 'auth.refresh_reused' | 'auth.logged_out'>(
    type: T,
    data: Parameters<typeof createEvent<T>>[1],
    ctx: RequestContext,
  ) {
    this.d.events.enqueue(
      createEvent(type, data, { correlationId: ctx.requestId, source: this.d.source, actor: ctx.actor }),
    );
  }
}
