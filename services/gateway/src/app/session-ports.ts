import type { AccessTokenSigner, RevocationStore } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { createEvent, type EventData } from '@medvault/common/events';
import type {
  EventSink,
  LoginThrottle,
  NotBeforeReader,
  RefreshTokenStore,
  UserRecord,
  UserRepository,
} from '../domain/ports.js';
import { hashRefreshToken, newRefreshToken } from '../domain/tokens.js';
import type { RequestContext } from '../domain/users.js';

/** What the session use cases (login, refresh, logout) need. */
export interface SessionPorts {
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

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

/** One answer for unknown user, wrong password and inactive account: no account enumeration. */
export const invalidCredentials = () => new AppError('UNAUTHENTICATED', 'Invalid email or password');

/** A fresh access token and a refresh token of the session's family. */
export async function issueTokens(d: SessionPorts, user: UserRecord, sessionId: string): Promise<TokenPair> {
  const notBefore = await d.notBefore.notBefore(user.id);
  const access = d.signer.sign({ userId: user.id, role: user.role, sessionId, notBefore });
  const refreshToken = newRefreshToken();
  await d.refresh.issue({ hash: hashRefreshToken(refreshToken), userId: user.id, sessionId }, d.refreshTtlSeconds);
  return { accessToken: access.token, refreshToken, tokenType: 'Bearer', expiresIn: d.signer.ttlSeconds };
}

/** The session's refresh family and its access tokens stop working. */
export async function revokeSession(d: SessionPorts, sessionId: string) {
  await d.refresh.revokeFamily(sessionId);
  await d.revocation.revokeSession(sessionId, d.signer.ttlSeconds + 60);
}

type AuthEvent = 'auth.login_failed' | 'auth.login_succeeded' | 'auth.refresh_reused' | 'auth.logged_out';

export function emitAuthEvent<T extends AuthEvent>(d: SessionPorts, type: T, data: EventData<T>, ctx: RequestContext) {
  d.events.enqueue(createEvent(type, data, { correlationId: ctx.requestId, source: d.source, actor: ctx.actor }));
}
