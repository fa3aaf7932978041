import { tmpdir } from 'node:os';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type EventPublisher, type IdempotencyStore, RedisIdempotencyStore } from '@medvault/common/bus';
import { KmsDataKeyProvider } from '@medvault/common/crypto';
import type { CallerPolicy, DependencyCheck } from '@medvault/common/http';
import type { Logger } from '@medvault/common/logger';
import { platform } from '@medvault/common/platform';
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
export interface Deps {
  config: Config;
  logger: Logger;
  checks: DependencyCheck[];
  /** Only the gateway may call: the assertion key and where direct hits are recorded. */
  callers: CallerPolicy;
  db: Db;
  publisher: EventPublisher;
  sqs: SQSClient;
  queueUrl: string;
  idempotency: IdempotencyStore;
  clamd: ClamdClient;
  scanner: VirusScanner;
  opener: ObjectOpener;
  verdicts: MongoVerdictStore;
  close(): Promise<void>;
}

export function buildDeps(config: Config): Deps {
  const p = platform(SERVICE, config);
  const { db } = p.mongo();
  const redis = p.redis();
  // Response checksums only when required: for multipart objects (how files stores uploads) the
  // emulator reports a CRC the SDK rejects for the whole body, and every byte we read is
  // authenticated by the envelope's AES-GCM segments anyway. Timeouts: a frozen S3/KMS fails
  // the attempt (SQS retries) instead of hanging a worker.
  const s3 = p.s3({
    buckets: [config.BUCKET_QUARANTINE],
    timeouts: { requestTimeoutMs: 60_000, connectionTimeoutMs: 5_000 },
    extra: { responseChecksumValidation: 'WHEN_REQUIRED' },
  });
  const kms = p.kms({
    keyId: config.KMS_DATA_KEY_ID,
    timeouts: { requestTimeoutMs: 10_000, connectionTimeoutMs: 3_000 },
  });
  const { publisher } = p.publisher();
  const { sqs, queueUrl } = p.queue(config.SCANNER_QUEUE_NAME);
  const clamd = new ClamdClient({
    host: config.CLAMD_HOST,
    port: config.CLAMD_PORT,
    timeoutMs: config.CLAMD_TIMEOUT_MS,
    scanTimeoutMs: config.CLAMD_SCAN_TIMEOUT_MS,
  });
  p.addCheck(clamdCheck(clamd, config.CLAMAV_DB_MAX_AGE_SECONDS));
  const keys = new KmsDataKeyProvider(kms, config.KMS_DATA_KEY_ID);
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
    close: () => p.close(),
  };
}
