import { readFileSync } from 'node:fs';
import {
  ConfigFields,
  internalServiceConfigSchema,
  loadConfig,
  MongoFlavourConfigSchema,
} from '@medvault/common/config';
import { type Static, Type } from '@sinclair/typebox';

/** Everything the files service reads from its environment, validated once at start. */
export const ConfigSchema = Type.Object({
  ...internalServiceConfigSchema({
    port: ['FILES_PORT', 8081],
    queue: ['FILES_QUEUE_NAME', 'medvault-files'],
    database: 'medvault_files',
    publishes: true,
  }).properties,
  /** MONGO_FLAVOUR: the write semantics of the server (`@medvault/common/mongo`). */
  ...MongoFlavourConfigSchema.properties,
  BUCKET_QUARANTINE: ConfigFields.nonEmpty(),
  BUCKET_CLEAN: ConfigFields.nonEmpty(),
  BUCKET_DERIVATIVES: ConfigFields.nonEmpty(),
  KMS_DATA_KEY_ID: ConfigFields.nonEmpty(),
  /**
   * Largest plaintext accepted by POST /v1/files (bytes); past it: 413 naming the limit, nothing
   * kept. 2047 MiB = the scanner's SCAN_MAX_BYTES and clamd's StreamMaxLength/MaxFileSize (clamd
   * cannot scan 2 GiB): an accepted upload can always be scanned (issue 17).
   */
  MAX_UPLOAD_BYTES: Type.Integer({ minimum: 1, default: 2047 * 1024 * 1024 }),
  /** Comma-separated sniffed types accepted (the client's Content-Type is never trusted). */
  ALLOWED_CONTENT_TYPES: Type.String({
    minLength: 1,
    default: 'application/dicom,image/jpeg,image/png,image/tiff,image/webp,application/pdf,text/plain,application/zip',
  }),
  /** HMAC key of download-link tokens (≥ 32 characters), inline or in a file; one is required. */
  LINK_SIGNING_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  LINK_SIGNING_SECRET_FILE: Type.Optional(Type.String({ minLength: 1 })),
  LINK_DEFAULT_TTL_SECONDS: ConfigFields.seconds(900),
  LINK_MAX_TTL_SECONDS: ConfigFields.seconds(86_400),
  /** How long a break-glass grant lasts (minutes). */
  EMERGENCY_ACCESS_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 60 }),
  TRASH_RETENTION_DAYS: Type.Integer({ minimum: 1, default: 30 }),
  PURGE_INTERVAL_SECONDS: ConfigFields.seconds(3600),
  /**
   * The outbox relay's passes: every write kicks the relay with its file's id, so events do not
   * wait for these; the interval retries what a failed pass (the bus down) left pending.
   */
  OUTBOX_INTERVAL_MS: Type.Integer({ minimum: 50, default: 5000 }),
  /**
   * The safety-net search for pending events a crashed instance left behind (after its 30 s
   * lease). Not every pass: on FerretDB v1 the search reads every file document (at 1 s it alone
   * kept the database 0.2 cores busy on an idle stack with ~350 files; bench/results/perf-notes.md).
   */
  OUTBOX_SEARCH_INTERVAL_MS: Type.Integer({ minimum: 50, default: 30_000 }),
  /** S3 multipart part size (MiB) and parts in flight: bound the memory of one upload. */
  UPLOAD_PART_SIZE_MIB: Type.Integer({ minimum: 5, maximum: 64, default: 8 }),
  UPLOAD_QUEUE_SIZE: Type.Integer({ minimum: 1, maximum: 8, default: 2 }),
  /**
   * Downloads read the stored object as ranged GETs of DOWNLOAD_PART_SIZE_MIB, up to
   * DOWNLOAD_READ_AHEAD of them in flight ahead of the writer: memory per download is about
   * part size × (read-ahead + 1), whatever the file's size. 8 MiB × 2 ahead (24 MiB): measured on
   * LocalStack, a 4 MiB ranged GET costs the store 2.5× the CPU per byte of one whole GET and
   * 8 MiB parts cost what one GET does (bench/results/perf-notes.md); 8 to 16 MiB is also the part
   * size AWS recommends for S3 byte-range fetches.
   */
  DOWNLOAD_PART_SIZE_MIB: Type.Integer({ minimum: 1, maximum: 64, default: 8 }),
  DOWNLOAD_READ_AHEAD: Type.Integer({ minimum: 0, maximum: 8, default: 2 }),
  /** An upload whose client sends nothing for this long is ended with 408 and nothing kept. */
  UPLOAD_IDLE_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 30_000 }),
});
export type Config = Static<typeof ConfigSchema> & { LINK_SIGNING_SECRET: string };

/** The key once built into the source (public in the history): refused wherever it is configured. */
const LEAKED_LINK_SECRETS = new Set(['medvault-dev-only-link-signing-secret-do-not-use']);

/**
 * No built-in link key, in any environment: a key in the source is a key every reader of the
 * repository can sign links with. The local stack's key is generated once by
 * scripts/ensure-keys.mjs and named by LINK_SIGNING_SECRET_FILE in infra/env/local.env.
 */
export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cfg = loadConfig(ConfigSchema, env);
  const invalid = (why: string) => new Error(`Invalid configuration: LINK_SIGNING_SECRET (${why})`);
  let secret = cfg.LINK_SIGNING_SECRET;
  if (!secret && cfg.LINK_SIGNING_SECRET_FILE) {
    try {
      secret = readFileSync(cfg.LINK_SIGNING_SECRET_FILE, 'utf8').trim();
    } catch (e) {
      throw invalid(`LINK_SIGNING_SECRET_FILE unreadable: ${(e as Error).message}`);
    }
  }
  if (!secret) throw invalid('missing: set it or LINK_SIGNING_SECRET_FILE');
  if (secret.length < 32) throw invalid('must be at least 32 characters');
  if (LEAKED_LINK_SECRETS.has(secret)) throw invalid('this key is public; generate a new one');
  return Object.freeze({ ...cfg, LINK_SIGNING_SECRET: secret });
}

export function allowedContentTypes(cfg: Config): Set<string> {
  return new Set(
    cfg.ALLOWED_CONTENT_TYPES.split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  );
}
