import type { Principal } from '@medvault/common/auth';
import type { UserQuery } from '../domain/ports.js';
import { authoriseUserAdmin, type UserPorts } from './user-ports.js';

/** One page of users (admins), with the cursor of the next page or null. */
export async function listUsers(d: Pick<UserPorts, 'users'>, p: Principal, q: UserQuery) {
  authoriseUserAdmin(p);
  const items = await d.users.list({ ...q, limit: q.limit + 1 });
  const page = items.slice(0, q.limit);
  return { items: page, nextCursor: items.length > q.limit ? (page.at(-1)?.id ?? null) : null };
}
