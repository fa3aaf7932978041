import type { Redis } from 'ioredis';
import { KeyedLock } from '../clients/keyed-lock.js';

/**
 * How a repository serialises the writes to one document. On MongoDB a single-document
 * `findOneAndUpdate`/`updateOne` with a condition is atomic, so nothing is needed
 * (`atomicWrites`); FerretDB v1 is not (`ferretdbWriteLock`). Chosen once at start-up by
 * `semanticsFor` from what the server is.
 */
export interface WriteGuard {
  /** Runs `fn` (a read-modify-write or conditional update of document `key`) safely. */
  with<T>(key: string, fn: () => Promise<T>): Promise<T>;
  readonly name: string;
}

/** MongoDB: conditional single-document updates are atomic; run them as they are. */
export const atomicWrites: WriteGuard = { name: 'atomic', with: (_key, fn) => fn() };

/**
 * FerretDB WORKAROUND (local stack only). FerretDB v1 runs `findOneAndUpdate` and conditional
 * updates as a read then a write, so two concurrent compare-and-sets on one document can both
 * succeed, and two `$inc`s lose one. A Redis lock per document serialises them. Never used on
 * MongoDB (its single-document updates are atomic). A Redis outage blocks writes here.
 */
export function ferretdbWriteLock(redis: Redis, prefix: string): WriteGuard {
  const lock = new KeyedLock(redis, prefix);
  return { name: 'ferretdb-redis-lock', with: (key, fn) => lock.with(key, fn) };
}
