import { AppError } from '@medvault/common/errors';
import { hashRefreshToken } from '../domain/tokens.js';
import type { RequestContext } from '../domain/users.js';
import { emitAuthEvent, issueTokens, revokeSession, type SessionPorts, type TokenPair } from './session-ports.js';

/** A refresh token, used once, → a new pair; a reused one kills its whole session. */
export async function refreshSession(d: SessionPorts, token: string, ctx: RequestContext): Promise<TokenPair> {
  const r = await d.refresh.consume(hashRefreshToken(token));
  if (r.status === 'unknown') throw new AppError('TOKEN_INVALID', 'Refresh token is invalid or expired');
  if (r.status === 'revoked') throw new AppError('TOKEN_REVOKED', 'Refresh token has been revoked');
  if (r.status === 'reused') {
    // A used token presented again means it leaked: kill the session and its access tokens.
    await revokeSession(d, r.sessionId);
    emitAuthEvent(d, 'auth.refresh_reused', { userId: r.userId, sessionId: r.sessionId }, ctx);
    throw new AppError('TOKEN_REVOKED', 'Refresh token was already used; the session has been revoked');
  }
  const user = await d.users.findById(r.userId);
  if (!user?.active) {
    await revokeSession(d, r.sessionId);
    throw new AppError('TOKEN_REVOKED', 'Refresh token has been revoked');
  }
  return issueTokens(d, user, r.sessionId);
}
