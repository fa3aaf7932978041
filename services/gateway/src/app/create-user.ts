import type { Principal, Role } from '@medvault/common/auth';
import { createEvent } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import { checkPassword } from '../domain/password-policy.js';
import { hashPassword } from '../domain/passwords.js';
import type { UserRecord } from '../domain/ports.js';
import { normaliseEmail, type RequestContext } from '../domain/users.js';
import { authoriseUserAdmin, eventMeta, nowOf, type UserPorts } from './user-ports.js';

export interface NewUser {
  email: string;
  password: string;
  role: Role;
  name: string;
}

/** An admin (or the system, at bootstrap) creates a user; user.created is stored with it (outbox). */
export async function createUser(d: UserPorts, p: Principal | 'system', input: NewUser, ctx: RequestContext) {
  if (p !== 'system') authoriseUserAdmin(p);
  // Any future password change must pass through checkPassword too. The bootstrap admin
  // ('system') is checked without its email: its conventional address admin@... names its role.
  checkPassword(input.password, p === 'system' ? { name: input.name } : { email: input.email, name: input.name });
  const now = nowOf(d);
  const user: UserRecord = {
    id: newId('user'),
    email: normaliseEmail(input.email),
    name: input.name.trim(),
    role: input.role,
    active: true,
    passwordHash: await hashPassword(input.password),
    createdAt: now,
    updatedAt: now,
  };
  const created = createEvent(
    'user.created',
    { userId: user.id, role: user.role, email: user.email, active: true },
    eventMeta(d, ctx),
  );
  await d.users.insert(user, [created]);
  d.outbox.kick();
  return user;
}
