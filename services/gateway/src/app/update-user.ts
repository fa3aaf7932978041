import type { Principal, Role } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { createEvent } from '@medvault/common/events';
import type { RequestContext } from '../domain/users.js';
import { authoriseUserAdmin, eventMeta, nowOf, type UserPorts } from './user-ports.js';

export interface UserPatch {
  role?: Role;
  active?: boolean;
  name?: string;
}

/**
 * An admin changes a user's role, activity or name; user.updated is stored with the change
 * (outbox). A role or activity change ends every access token the user holds.
 */
export async function updateUser(d: UserPorts, p: Principal, id: string, patch: UserPatch, ctx: RequestContext) {
  authoriseUserAdmin(p);
  // An admin locking themselves out would leave nobody able to undo it.
  if (id === p.userId && (patch.active === false || (patch.role && patch.role !== 'admin'))) {
    throw new AppError('CONFLICT', 'Admins cannot deactivate themselves or drop their own admin role');
  }
  const before = await d.users.findById(id);
  if (!before) throw new AppError('NOT_FOUND', 'User not found');
  const changes = (['role', 'active', 'name'] as const).filter((k) => patch[k] !== undefined && patch[k] !== before[k]);
  if (changes.length === 0) return before;
  const now = nowOf(d);
  const next = { ...before, ...pick(patch, changes) };
  const updated = createEvent(
    'user.updated',
    { userId: id, role: next.role, active: next.active, changes: [...changes] },
    eventMeta(d, ctx),
  );
  const after = await d.users.update(id, { ...pick(patch, changes), updatedAt: now }, [updated]);
  if (!after) throw new AppError('NOT_FOUND', 'User not found');
  d.outbox.kick();
  if (changes.includes('role') || changes.includes('active')) {
    // +1: a token minted earlier in this very second has iat == now and must die too.
    const notBefore = Math.floor(now.getTime() / 1000) + 1;
    await d.revocation.revokeUserTokensBefore(id, notBefore, d.accessTtlSeconds + 60);
  }
  return after;
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}
