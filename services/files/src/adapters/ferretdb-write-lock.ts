import { KeyedLock } from '@medvault/common/clients';
import type { Redis } from 'ioredis';
import type { WriteGuard } from './write-guard.js';

/**
 * FerretDB WORKAROUND (local stack only). FerretDB v1 runs `findOneAndUpdate` and conditional
 * updates as a read then a write, so two concurrent compare-and-sets on one document can both
 * succeed. A Redis lock per document serialises them. On MongoDB this is never used (its
 * single-document updates are atomic): see mongo-flavour.ts. A Redis outage blocks writes here.
 */
export function ferretdbWriteLock(redis: Redis, prefix: string): WriteGuard {
  const lock = new KeyedLock(redis, prefix);
  return { name: 'ferretdb-redis-lock', with: (key, fn) => lock.with(key, fn) };
}
