import type { Principal, RevocationStore, Role } from '@medvault/common/auth';
import { canManageUsers, canReadUser, enforce } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { createEvent } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import { checkPassword } from '../domain/password-policy.js';
import { hashPassword } from '../domain/passwords.js';
import type { UserQuery, UserRecord, UserRepository } from '../domain/ports.js';
import { normaliseEmail, type RequestContext } from '../domain/users.js';

export interface UserServiceDeps {
  users: UserRepository;
  revocation: RevocationStore;
  /** Publishes the user.* events the repository stored with each change (transactional outbox). */
  outbox: { kick(): void };
  /** Longest an access token lives: how long a revocation mark must be kept. */
  accessTtlSeconds: number;
  source: string;
  now?: () => Date;
}

/** User administration. Authorisation is checked here too, so no route can forget it. */
export class UserService {
  constructor(private readonly d: UserServiceDeps) {}

  private now() {
    return this.d.now?.() ?? new Date();
  }

  private authorise(p: Principal) {
    enforce(canManageUsers(p), 'Only admins manage users');
  }

  async create(
    p: Principal | 'system',
    input: { email: string; password: string; role: Role; name: string },
    ctx: RequestContext,
  ) {
    if (p !== 'system') this.authorise(p);
    // Any future password change must pass through checkPassword too. The bootstrap admin
    // ('system') is checked without its email: its conventional address admin@... names its role.
    checkPassword(input.password, p === 'system' ? { name: input.name } : { email: input.email, name: input.name });
    const now = this.now();
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
      this.meta(ctx),
    );
    await this.d.users.insert(user, [created]);
    this.d.outbox.kick();
    return user;
  }

  async get(p: Principal, id: string) {
    enforce(canReadUser(p, id), 'Only admins read other users');
    const u = await this.d.users.findById(id);
    if (!u) throw new AppError('NOT_FOUND', 'User not found');
    return u;
  }

  async list(p: Principal, q: UserQuery) {
    this.authorise(p);
    const items = await this.d.users.list({ ...q, limit: q.limit + 1 });
    const page = items.slice(0, q.limit);
    return { items: page, nextCursor: items.length > q.limit ? (page.at(-1)?.id ?? null) : null };
  }

  async update(p: Principal, id: string, patch: { role?: Role; active?: boolean; name?: string }, ctx: RequestContext) {
    this.authorise(p);
    // An admin locking themselves out would leave nobody able to undo it.
    if (id === p.userId && (patch.active === false || (patch.role && patch.role !== 'admin'))) {
      throw new AppError('CONFLICT', 'Admins cannot deactivate themselves or drop their own admin role');
    }
    const before = await this.d.users.findById(id);
    if (!before) throw new AppError('NOT_FOUND', 'User not found');
    const changes = (['role', 'active', 'name'] as const).filter(
      (k) => patch[k] !== undefined && patch[k] !== before[k],
    );
    if (changes.length === 0) return before;
    const now = this.now();
    const next = { ...before, ...pick(patch, changes) };
    const updated = createEvent(
      'user.updated',
      { userId: id, role: next.role, active: next.active, changes: [...changes] },
      this.meta(ctx),
    );
    const after = await this.d.users.update(id, { ...pick(patch, changes), updatedAt: now }, [updated]);
    if (!after) throw new AppError('NOT_FOUND', 'User not found');
    this.d.outbox.kick();
    if (changes.includes('role') || changes.includes('active')) {
      // +1: a token minted earlier in this very second has iat == now and must die too.
      const notBefore = Math.floor(now.getTime() / 1000) + 1;
      await this.d.revocation.revokeUserTokensBefore(id, notBefore, this.d.accessTtlSeconds + 60);
    }
    return after;
  }

  private meta(ctx: RequestContext) {
    return { correlationId: ctx.requestId, source: this.d.source, actor: ctx.actor };
  }
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}
