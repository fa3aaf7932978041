import { AppError } from '@medvault/common/errors';
import type { UserRepository } from '../domain/ports.js';
import { normaliseEmail } from '../domain/users.js';
import type { UserUseCases } from './users.js';

export interface BootstrapAdminDeps {
  userRepo: UserRepository & { ensureIndexes(): Promise<void> };
  users: Pick<UserUseCases, 'create'>;
  /** The first admin from configuration; both unset: nothing to create. */
  admin: { email?: string | undefined; password?: string | undefined };
}

/**
 * Idempotent start-up work: the unique email index, then the first admin from configuration
 * (created once; an existing account with that email is left untouched, so a restart never
 * resets a changed password).
 */
export async function bootstrapAdmin(d: BootstrapAdminDeps): Promise<'created' | 'exists' | 'skipped'> {
  await d.userRepo.ensureIndexes();
  const { email, password } = d.admin;
  if (!email || !password) return 'skipped';
  if (await d.userRepo.findByEmail(normaliseEmail(email))) return 'exists';
  try {
    await d.users.create(
      'system',
      { email, password, role: 'admin', name: 'Bootstrap admin' },
      { requestId: 'bootstrap', actor: { userId: 'system', role: 'system' } },
    );
    return 'created';
  } catch (err) {
    if (AppError.is(err) && err.code === 'CONFLICT') return 'exists'; // another instance won the race
    throw err;
  }
}
