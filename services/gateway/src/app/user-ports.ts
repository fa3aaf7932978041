import type { Principal, RevocationStore } from '@medvault/common/auth';
import { canManageUsers, enforce } from '@medvault/common/auth';
import type { UserRepository } from '../domain/ports.js';
import type { RequestContext } from '../domain/users.js';

/** What the user-administration use cases need. */
export interface UserPorts {
  users: UserRepository;
  revocation: RevocationStore;
  /** Publishes the user.* events the repository stored with each change (transactional outbox). */
  outbox: { kick(): void };
  /** Longest an access token lives: how long a revocation mark must be kept. */
  accessTtlSeconds: number;
  source: string;
  now?: () => Date;
}

/** Authorisation is checked in the use cases too, so no route can forget it. */
export function authoriseUserAdmin(p: Principal) {
  enforce(canManageUsers(p), 'Only admins manage users');
}

export const nowOf = (d: UserPorts) => d.now?.() ?? new Date();

export const eventMeta = (d: UserPorts, ctx: RequestContext) => ({
  correlationId: ctx.requestId,
  source: d.source,
  actor: ctx.actor,
});
