import type { Principal } from '@medvault/common/auth';
import type { UserQuery } from '../domain/ports.js';
import type { RequestContext } from '../domain/users.js';
import { createUser, type NewUser } from './create-user.js';
import { getUser } from './get-user.js';
import { listUsers } from './list-users.js';
import { type UserPatch, updateUser } from './update-user.js';
import type { UserPorts } from './user-ports.js';

export type { UserPorts } from './user-ports.js';

/** The user-administration use cases bound to their ports (what deps.ts hands to the routes). */
export function userUseCases(d: UserPorts) {
  return {
    create: (p: Principal | 'system', input: NewUser, ctx: RequestContext) => createUser(d, p, input, ctx),
    get: (p: Principal, id: string) => getUser(d, p, id),
    list: (p: Principal, q: UserQuery) => listUsers(d, p, q),
    update: (p: Principal, id: string, patch: UserPatch, ctx: RequestContext) => updateUser(d, p, id, patch, ctx),
  };
}
export type UserUseCases = ReturnType<typeof userUseCases>;
