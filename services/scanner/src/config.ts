import { ConfigFields, internalServiceConfigSchema, loadConfig } from '@medvault/common/config';
import { type Static, Type } from '@sinclair/typebox';

/** Everything the scanner service reads from its environment, validated once at start. */
export const ConfigSchema = Type.Object({
  ...internalServiceConfigSchema({
    port: ['SCANNER_PORT', 8082],
    queue: ['SCANNER_QUEUE_NAME', 'medvault-scanner'],
    database: 'medvault_scanner',
    publishes: true,
  }).properties,
  BUCKET_QUARANTINE: ConfigFields.nonEmpty(),
  /** Rescans of already released files read the clean bucket (read only). */
  BUCKET_CLEAN: Type.String({ minLength: 1, default: 'medvault-clean' }),
  KMS_DATA_KEY_ID: ConfigFields.nonEmpty(),
  CLAMD_HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  CLAMD_PORT: ConfigFields.port(3310),
  /** Idle limit on the clamd socket (no byte sent or received for this long → transient failure). */
  CLAMD_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 60_000 }),
  /**
   * Idle limit once the whole stream is sent: clamd then scans the file (and extracts archives)
   * without a byte on the socket, minutes for a 2 GiB study. Matches clamd's MaxScanTime.
   */
  CLAMD_SCAN_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 900_000 }),
  /**
   * Largest plaintext the scanner streams to clamd. It equals the upload limit (files'
   * MAX_UPLOAD_BYTES, 2047 MiB) so every accepted upload can be scanned, and clamd's
   * StreamMaxLength/MaxFileSize (2047M: clamd cannot scan a file of 2 GiB or more).
   */
  SCAN_MAX_BYTES: Type.Integer({ minimum: 1, default: 2047 * 1024 * 1024 }),
  /** What to do when clamd cannot inspect a file (encrypted archive, limits exceeded). */
  UNSCANNABLE_POLICY: Type.Union([Type.Literal('block'), Type.Literal('allow')], { default: 'block' }),
  /** Members of one uploaded file's archives, all nesting levels together (clamd MaxFiles is 10000). */
  ARCHIVE_MAX_ENTRIES: Type.Integer({ minimum: 1, default: 10_000 }),
  /** ZIP nesting levels inspected (the upload itself is level 1); deeper is unscannable. */
  ARCHIVE_MAX_DEPTH: Type.Integer({ minimum: 1, maximum: 16, default: 5 }),
  /** Largest uncompressed/compressed ratio of an archive member above 1 MiB (zip bombs). */
  ARCHIVE_MAX_RATIO: Type.Integer({ minimum: 2, default: 200 }),
  /**
   * Uncompressed bytes of all archive members of one file together. With SCAN_MAX_BYTES it must
   * stay within clamd's MaxScanSize (4095M: the archive plus what it extracts), otherwise clamd
   * would flag a ZIP the scanner accepted as exceeding its limits.
   */
  ARCHIVE_MAX_EXPANDED_BYTES: Type.Integer({ minimum: 1, default: 2048 * 1024 * 1024 }),
  /** Directory for the scanner's temporary (encrypted, per-scan) copies of archives; default: the OS temp dir. */
  SCAN_TMP_DIR: Type.Optional(Type.String({ minLength: 1 })),
  /** Receive count at which a transient failure becomes a final `error` verdict (<= the queue's maxReceiveCount). */
  SCAN_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  /** Readiness fails when the signature database is older than this (only when clamd reports its date). */
  CLAMAV_DB_MAX_AGE_SECONDS: Type.Integer({ minimum: 60, default: 7 * 24 * 3600 }),
});
export type Config = Static<typeof ConfigSchema>;

export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig(ConfigSchema, env);
}
