import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { type Db, MongoClient } from 'mongodb';

/**
 * Connection factories with the platform's defaults (fail fast when a server is missing,
 * bounded retries). Each service's deps.ts calls them: the only place clients are built.
 */
export function createMongo(url: string, appName: string, dbName?: string): { client: MongoClient; db: Db } {
  const client = new MongoClient(url, {
    appName,
    serverSelectionTimeoutMS: 5000,
    connectTimeoutMS: 5000,
    maxPoolSize: 20,
    // FerretDB v1 has no multi-document transactions or change streams: retryable writes off.
    retryWrites: false,
  });
  // No eager connect: the driver connects on first use, so a service starts (and reports
  // not-ready naming mongo) while the database is down, and recovers when it returns.
  return { client, db: client.db(dbName) };
}

/** Lazily connecting client: a service starts (and reports not-ready) while Redis is down. */
export function createRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 3000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
}

/** PEM key material given inline (with literal \n) or as a file path. */
export function readPem(inline: string | undefined, file: string | undefined, what: string): string {
  if (inline) return inline.replace(/\\n/g, '\n');
  if (file) return readFileSync(file, 'utf8');
  throw new Error(`Missing ${what}: set it inline or as a file path`);
}

export { KeyedLock } from './keyed-lock.js';
