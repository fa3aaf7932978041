import type { Principal } from '@medvault/common/auth';
import type { RequestContext } from '../domain/users.js';
import { login } from './login.js';
import { logout } from './logout.js';
import { refreshSession } from './refresh-session.js';
import type { SessionPorts } from './session-ports.js';

export type { SessionPorts, TokenPair } from './session-ports.js';

/** The session use cases bound to their ports (what deps.ts hands to the routes). */
export function sessionUseCases(d: SessionPorts) {
  return {
    login: (input: { email: string; password: string }, ctx: RequestContext & { ip: string }) => login(d, input, ctx),
    refresh: (token: string, ctx: RequestContext) => refreshSession(d, token, ctx),
    logout: (p: Principal, ctx: RequestContext) => logout(d, p, ctx),
  };
}
export type SessionUseCases = ReturnType<typeof sessionUseCases>;
