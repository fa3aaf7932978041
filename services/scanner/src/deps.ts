import { tmpdir } from 'node:os';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type EventPublisher, type IdempotencyStore, RedisIdempotencyStore } from '@medvault/common/bus';
import { KmsDataKeyProvider } from '@medvault/common/crypto';
import { encryptedObjects, platform, type ServiceDeps } from '@medvault/common/platform';
import type { Db } from 'mongodb';
import { ClamavScanner } from './adapters/clamav-scanner.js';
import { ClamdClient } from './adapters/clamd.js';
import { clamdCheck } from './adapters/clamd-check.js';
import { openDecrypted } from './adapters/object-source.js';
import { MongoVerdictStore } from './adapters/verdict-store.js';
import type { Config } from './config.js';
import type { ObjectOpener, VirusScanner } from './domain/ports.js';

export const SERVICE = 'scanner';

/**
 * Everything the scanner service talks to. The only place its clients are constructed. No access
 * tokens: it serves no user (health and metrics only); the token key only attributes direct hits.
 */
export interface Deps extends ServiceDeps<Config> {
  db: Db;
  publisher: EventPublisher;
  sqs: SQSClient;
  queueUrl: string;
  idempotency: IdempotencyStore;
  clamd: ClamdClient;
  scanner: VirusScanner;
  opener: ObjectOpener;
  verdicts: MongoVerdictStore;
  /** The SDK clients behind the opener (the one-read test counts the calls they send). */
  s3: S3Client;
  kms: KMSClient;
}

export function buildDeps(config: Config): Deps {
  const p = platform(SERVICE, config);
  const { db } = p.mongo();
  const redis = p.redis();
  const s3 = p.s3({ buckets: [config.BUCKET_QUARANTINE], ...encryptedObjects.s3 });
  const kms = p.kms({ keyId: config.KMS_DATA_KEY_ID, ...encryptedObjects.kms });
  const keys = new KmsDataKeyProvider(kms, config.KMS_DATA_KEY_ID);
  const { publisher } = p.publisher();
  const { sqs, queueUrl } = p.queue(config.SCANNER_QUEUE_NAME);
  const clamd = new ClamdClient({
    host: config.CLAMD_HOST,
    port: config.CLAMD_PORT,
    timeoutMs: config.CLAMD_TIMEOUT_MS,
    scanTimeoutMs: config.CLAMD_SCAN_TIMEOUT_MS,
  });
  p.addCheck(clamdCheck(clamd, config.CLAMAV_DB_MAX_AGE_SECONDS));
  return {
    config,
    logger: p.logger,
    checks: p.checks,
    callers: p.gatewayOnly(),
    db,
    publisher,
    sqs,
    queueUrl,
    idempotency: new RedisIdempotencyStore(redis),
    clamd,
    scanner: new ClamavScanner(clamd, {
      maxEntries: config.ARCHIVE_MAX_ENTRIES,
      maxDepth: config.ARCHIVE_MAX_DEPTH,
      maxRatio: config.ARCHIVE_MAX_RATIO,
      maxExpandedBytes: config.ARCHIVE_MAX_EXPANDED_BYTES,
      tmpDir: config.SCAN_TMP_DIR ?? tmpdir(),
    }),
    opener: { open: (ref) => openDecrypted(s3, keys, ref) },
    verdicts: new MongoVerdictStore(db),
    s3,
    kms,
    close: () => p.close(),
  };
}
