import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { type Db, MongoClient } from 'mongodb';
import { retry } from '../retry/index.js';

/**
 * Connection factories with the platform's defaults (fail fast when a server is missing,
 * bounded retries). Each service's deps.ts calls them: the only place clients are built.
 */
export interface MongoOptions {
  retryWrites?: boolean;
  /**
   * Heartbeat silence after which the client is rebuilt (default 60 s, six missed heartbeats).
   * WHY: mongodb 6's server monitor can stop for good when the database restarts under it (seen
   * in `npm run faults`: notify, started seconds before a FerretDB restart, sent no heartbeat
   * again and failed every operation with a stale "connection closed" until it was restarted).
   */
  stallMs?: number;
  /** Told when the watchdog rebuilds a stalled client (e.g. to log it). */
  onStall?: (silentMs: number) => void;
}

export function createMongo(
  url: string,
  appName: string,
  dbName?: string,
  o: MongoOptions = {},
): { client: MongoClient; db: Db } {
  const client = new MongoClient(url, {
    appName,
    serverSelectionTimeoutMS: 5000,
    connectTimeoutMS: 5000,
    maxPoolSize: 20,
    // Off unless asked: FerretDB v1 refuses retryable writes. A service that knows its server is
    // MongoDB (`@medvault/common/mongo`, semanticsFor) turns them on.
    retryWrites: o.retryWrites ?? false,
  });
  // The driver's own connect-on-first-use does not survive a failed first connection (mongodb 6:
  // the failed topology is closed and kept, every later operation says "Topology is closed" for
  // ever: a service started while its database was down or slow never recovered). So connect in
  // the background and retry until it works: the service starts, reports not-ready naming mongo,
  // and recovers when the database answers. close() stops the retries before closing.
  const stop = new AbortController();
  const close = client.close.bind(client);
  let connecting = false;
  const connect = async () => {
    await client.connect();
    // close() came while this attempt was connecting: do not leave the new topology open.
    if (stop.signal.aborted) await close();
  };
  const connectInBackground = () => {
    connecting = true;
    void retry(connect, { attempts: Number.POSITIVE_INFINITY, baseMs: 250, maxMs: 5000, signal: stop.signal })
      .catch(() => undefined)
      .finally(() => {
        connecting = false;
        lastBeat = Date.now();
      });
  };
  // Any heartbeat, answered or not, shows the monitor is alive; only silence means it stalled.
  let lastBeat = Date.now();
  const beat = () => {
    lastBeat = Date.now();
  };
  client.on('serverHeartbeatSucceeded', beat);
  client.on('serverHeartbeatFailed', beat);
  const stallMs = o.stallMs ?? 60_000;
  const watchdog = setInterval(
    () => {
      const silent = Date.now() - lastBeat;
      if (connecting || stop.signal.aborted || silent < stallMs) return;
      o.onStall?.(silent);
      lastBeat = Date.now();
      // Closing drops the stalled topology; the next connect() builds a new one on this client,
      // so every Db and collection handed out keeps working.
      connecting = true;
      void close(true)
        .catch(() => undefined)
        .then(() => {
          if (!stop.signal.aborted) connectInBackground();
          else connecting = false;
        });
    },
    Math.min(15_000, Math.max(250, stallMs / 4)),
  );
  watchdog.unref();
  connectInBackground();
  client.close = async (force?: boolean) => {
    stop.abort(new Error('mongo client closed'));
    clearInterval(watchdog);
    return close(force);
  };
  return { client, db: client.db(dbName) };
}

/** Lazily connecting client: a service starts (and reports not-ready) while Redis is down. */
export function createRedis(url: string, name: string, o: { autoPipelining?: boolean } = {}): Redis {
  return new Redis(url, {
    // Commands issued in one event-loop turn go out in one write (the gateway issues a rate-limit
    // and revocation look-up per request: one syscall each was 9% of its CPU under load).
    enableAutoPipelining: o.autoPipelining ?? false,
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
