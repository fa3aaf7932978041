import type { Principal } from '@medvault/common/auth';
import { canReadUser, enforce } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import type { UserPorts } from './user-ports.js';

/** A user reads themselves; admins read anyone. */
export async function getUser(d: Pick<UserPorts, 'users'>, p: Principal, id: string) {
  enforce(canReadUser(p, id), 'Only admins read other users');
  const u = await d.users.findById(id);
  if (!u) throw new AppError('NOT_FOUND', 'User not found');
  return u;
}
