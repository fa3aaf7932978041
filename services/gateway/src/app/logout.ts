import type { Principal } from '@medvault/common/auth';
import type { RequestContext } from '../domain/users.js';
import { emitAuthEvent, revokeSession, type SessionPorts } from './session-ports.js';

/** The access token and its whole refresh family stop working at once. */
export async function logout(d: SessionPorts, p: Principal, ctx: RequestContext): Promise<void> {
  const remaining = Math.max(1, p.exp - Math.floor(Date.now() / 1000));
  await d.revocation.revokeToken(p.jti, remaining);
  if (p.sessionId) await revokeSession(d, p.sessionId);
  emitAuthEvent(d, 'auth.logged_out', { userId: p.userId, ...(p.sessionId ? { sessionId: p.sessionId } : {}) }, ctx);
}
