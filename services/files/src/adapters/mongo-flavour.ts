import type { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { ferretdbWriteLock } from './ferretdb-write-lock.js';
import { atomicWrites, type WriteGuard } from './write-guard.js';

/** Which server speaks the MongoDB protocol: production runs MongoDB, the local stack FerretDB. */
export type MongoFlavour = 'mongodb' | 'ferretdb';

/**
 * FerretDB answers `buildInfo` with a `ferretdbVersion` field (and `ferretdbFeatures`); MongoDB
 * never does. Pure so the choice is unit-tested without either server.
 */
export function flavourOf(buildInfo: Record<string, unknown>): MongoFlavour {
  return 'ferretdbVersion' in buildInfo || 'ferretdbFeatures' in buildInfo ? 'ferretdb' : 'mongodb';
}

/** Asks the server once (a short-lived client, retryable writes off: valid on both). */
export async function detectFlavour(url: string, timeoutMs = 5_000): Promise<MongoFlavour> {
  const probe = new MongoClient(url, {
    retryWrites: false,
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
  });
  try {
    return flavourOf(await probe.db('admin').command({ buildInfo: 1 }));
  } finally {
    await probe.close().catch(() => undefined);
  }
}

/** What each flavour needs from the driver and the repositories. */
export interface MongoSemantics {
  flavour: MongoFlavour;
  /** MongoDB retries a write once after a failover; FerretDB v1 refuses retryable writes. */
  retryWrites: boolean;
  /** How writes to one document are serialised (nothing on MongoDB; the Redis lock on FerretDB). */
  guard(name: string): WriteGuard;
}

export function semanticsFor(flavour: MongoFlavour, redis: Redis, prefix: string): MongoSemantics {
  if (flavour === 'mongodb') return { flavour, retryWrites: true, guard: () => atomicWrites };
  return { flavour, retryWrites: false, guard: (name) => ferretdbWriteLock(redis, `${prefix}:${name}`) };
}

/**
 * The service's MongoDB client with the flavour's write options (the platform's shared client
 * keeps retryable writes off for FerretDB). No eager connect: the service starts, and reports
 * not-ready naming mongo, while the database is down.
 */
export function openMongo(url: string, appName: string, semantics: MongoSemantics): MongoClient {
  return new MongoClient(url, {
    appName,
    serverSelectionTimeoutMS: 5000,
    connectTimeoutMS: 5000,
    maxPoolSize: 20,
    retryWrites: semantics.retryWrites,
  });
}
