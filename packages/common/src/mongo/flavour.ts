import { MongoClient } from 'mongodb';

/** Which server speaks the MongoDB protocol: production runs MongoDB, the local stack FerretDB. */
export type MongoFlavour = 'mongodb' | 'ferretdb';

/** The MONGO_FLAVOUR setting: `auto` asks the server at start-up. */
export type MongoFlavourSetting = MongoFlavour | 'auto';

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

/** The flavour a service runs with: the configured one, or the server's answer for `auto`. */
export async function resolveFlavour(config: { MONGO_URL: string; MONGO_FLAVOUR: MongoFlavourSetting }) {
  return config.MONGO_FLAVOUR === 'auto' ? detectFlavour(config.MONGO_URL) : config.MONGO_FLAVOUR;
}
