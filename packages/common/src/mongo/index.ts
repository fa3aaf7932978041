import type { Redis } from 'ioredis';
import type { MongoFlavour } from './flavour.js';
import { atomicWrites, ferretdbWriteLock, type WriteGuard } from './write-guard.js';

export { detectFlavour, flavourOf, type MongoFlavour, type MongoFlavourSetting, resolveFlavour } from './flavour.js';
export { atomicWrites, ferretdbWriteLock, type WriteGuard } from './write-guard.js';

/**
 * What each flavour needs from the driver and the repositories: the one adapter choice between
 * production MongoDB semantics and the local FerretDB workaround.
 */
export interface MongoSemantics {
  flavour: MongoFlavour;
  /** MongoDB retries a write once after a failover; FerretDB v1 refuses retryable writes. */
  retryWrites: boolean;
  /** How writes to one document of `kind` are serialised (nothing on MongoDB; a Redis lock on FerretDB). */
  guard(kind: string): WriteGuard;
}

/**
 * The semantics of `flavour`. `redis` is only asked for on FerretDB (MongoDB needs no Redis to write); `prefix` names the lock keys
 * (`<prefix>:<kind>:<id>`): include the database name so two databases never share locks.
 */
export function semanticsFor(flavour: MongoFlavour, redis: () => Redis, prefix: string): MongoSemantics {
  if (flavour === 'mongodb') return { flavour, retryWrites: true, guard: () => atomicWrites };
  return { flavour, retryWrites: false, guard: (kind) => ferretdbWriteLock(redis(), `${prefix}:${kind}`) };
}
