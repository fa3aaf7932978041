import { AppError, dependencyUnavailable } from '@medvault/common/errors';

/**
 * Runs a driver call; a failure of the dependency itself (down, timed out) becomes 503 naming it
 * instead of a bare 500, so clients know to retry and operators know where to look.
 */
export async function guard<T>(dependency: 'mongo' | 'redis', fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (AppError.is(err)) throw err;
    throw dependencyUnavailable(dependency, err);
  }
}
