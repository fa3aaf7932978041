import { AppError } from '@medvault/common/errors';
import type { Deps } from './deps.js';
import { normaliseEmail } from './domain/users.js';

/**
 * Idempotent start-up work: the unique email index, then the first admin from configuration
 * (created once; an existing account with that email is left untouched, so a restart never
 * resets a changed password).
 */
export async function bootstrap(deps: Deps): Promise<'created' | 'exists' | 'skipped'> {
  await deps.userRepo.ensureIndexes();
  const { BOOTSTRAP_ADMIN_EMAIL: email, BOOTSTRAP_ADMIN_PASSWORD: password } = deps.config;
  if (!email || !password) return 'skipped';
  if (await deps.userRepo.findByEmail(normaliseEmail(email))) return 'exists';
  try {
    await deps.users.create(
      'system',
      { email, password, role: 'admin', name: 'Bootstrap admin' },
      {
        requestId: 'bootstrap',
        actor: { userId: 'system', role: 'system' },
      },
    );
    return 'created';
  } catch (err) {
    if (AppError.is(err) && err.code === 'CONFLICT') return 'exists'; // another instance won the race
    throw err;
  }
}

/** Retries bootstrap in the background while Mongo is down; the service keeps answering meanwhile. */
export function bootstrapWithRetry(
  deps: Deps,
  opts: { delayMs?: number; maxDelayMs?: number } = {},
): { stop(): void; done: Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const done = (async () => {
    let delay = opts.delayMs ?? 1000;
    for (let attempt = 1; !stopped; attempt++) {
      try {
        const result = await bootstrap(deps);
        deps.logger.info({ result }, 'bootstrap complete');
        return;
      } catch (err) {
        deps.logger.warn({ err, attempt }, 'bootstrap failed, retrying');
        await new Promise<void>((r) => {
          timer = setTimeout(r, delay);
        });
        delay = Math.min(delay * 2, opts.maxDelayMs ?? 30_000);
      }
    }
  })();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    done,
  };
}
