import { tmpdir } from 'node:os';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { RedisRevocationStore, type RevocationChecker } from '@medvault/common/auth';
import { awsClientConfig, queueUrl, s3ClientConfig } from '@medvault/common/aws';
import {
  type EventPublisher,
  type IdempotencyStore,
  RedisIdempotencyStore,
  SnsEventPublisher,
} from '@medvault/common/bus';
import { createMongo, createRedis, readPem } from '@medvault/common/clients';
import { KmsDataKeyProvider } from '@medvault/common/crypto';
import {
  type CallerPolicy,
  type DependencyCheck,
  gatewayOnlyCallers,
  kmsCheck,
  mongoCheck,
  redisCheck,
  s3Check,
  snsCheck,
  sqsCheck,
} from '@medvault/common/http';
import { createLogger, type Logger } from '@medvault/common/logger';
import type { Redis } from 'ioredis';
import type { Db, MongoClient } from 'mongodb';
import { ClamavScanner } from './adapters/clamav-scanner.js';
import { ClamdClient } from './adapters/clamd.js';
import { clamdCheck } from './adapters/clamd-check.js';
import { openDecrypted } from './adapters/object-source.js';
import { MongoVerdictStore } from './adapters/verdict-store.js';
import type { Config } from './config.js';
import type { ObjectOpener, VirusScanner } from './domain/ports.js';

export const SERVICE = 'scanner';

/** Everything the scanner service talks to. The only place its clients are constructed. */
export interface Deps {
  config: Config;
  logger: Logger;
  checks: DependencyCheck[];
  jwtPublicKey: string;
  /** Only the gateway may call: the assertion key and where direct hits are recorded. */
  callers: CallerPolicy;
  revocation: RevocationChecker;
  mongo: MongoClient;
  db: Db;
  redis: Redis;
  s3: S3Client;
  kms: KMSClient;
  sns: SNSClient;
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
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const aws = awsClientConfig(config);
  const { client: mongo, db } = createMongo(config.MONGO_URL, 'medvault-scanner', config.MONGO_DB);
  const redis = createRedis(config.REDIS_URL, 'medvault-scanner');
  // Response checksums only when required: for multipart objects (how files stores uploads) the
  // emulator reports a CRC the SDK rejects for the whole body, and every byte we read is
  // authenticated by the envelope's AES-GCM segments anyway. Timeouts: a frozen S3/KMS fails
  // the attempt (SQS retries) instead of hanging a worker.
  const s3 = new S3Client({
    ...s3ClientConfig(config),
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { requestTimeout: 60_000, connectionTimeout: 5_000, throwOnRequestTimeout: true },
  });
  const kms = new KMSClient({
    ...aws,
    requestHandler: { requestTimeout: 10_000, connectionTimeout: 3_000, throwOnRequestTimeout: true },
  });
  const sns = new SNSClient(aws);
  const publisher = new SnsEventPublisher(sns, config.EVENTS_TOPIC_ARN);
  const sqs = new SQSClient(aws);
  const queue = queueUrl(config.QUEUE_URL_BASE, config.SCANNER_QUEUE_NAME);
  const idempotency = new RedisIdempotencyStore(redis);
  const jwtPublicKey = readPem(
    config.JWT_PUBLIC_KEY,
    config.JWT_PUBLIC_KEY_FILE,
    'JWT public key (JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE)',
  );
  const revocation = new RedisRevocationStore(redis);
  const clamd = new ClamdClient({
    host: config.CLAMD_HOST,
    port: config.CLAMD_PORT,
    timeoutMs: config.CLAMD_TIMEOUT_MS,
    scanTimeoutMs: config.CLAMD_SCAN_TIMEOUT_MS,
  });
  const keys = new KmsDataKeyProvider(kms, config.KMS_DATA_KEY_ID);
  const opener: ObjectOpener = { open: (ref) => openDecrypted(s3, keys, ref) };
  const verdicts = new MongoVerdictStore(db);
  const checks: DependencyCheck[] = [
    mongoCheck(db),
    redisCheck(redis),
    s3Check(s3, config.BUCKET_QUARANTINE),
    kmsCheck(kms, config.KMS_DATA_KEY_ID),
    snsCheck(sns, config.EVENTS_TOPIC_ARN),
    sqsCheck(sqs, queue),
    clamdCheck(clamd, config.CLAMAV_DB_MAX_AGE_SECONDS),
  ];
  return {
    config,
    logger,
    checks,
    jwtPublicKey,
    callers: gatewayOnlyCallers(config, { jwtPublicKey, denied: (e) => publisher.publish(e) }),
    revocation,
    mongo,
    db,
    redis,
    s3,
    kms,
    sns,
    publisher,
    sqs,
    queueUrl: queue,
    idempotency,
    clamd,
    scanner: new ClamavScanner(clamd, {
      maxEntries: config.ARCHIVE_MAX_ENTRIES,
      maxDepth: config.ARCHIVE_MAX_DEPTH,
      maxRatio: config.ARCHIVE_MAX_RATIO,
      maxExpandedBytes: config.ARCHIVE_MAX_EXPANDED_BYTES,
      tmpDir: config.SCAN_TMP_DIR ?? tmpdir(),
    }),
    opener,
    verdicts,
    close: async () => {
      await Promise.allSettled([
        mongo.close(),
        redis.quit().catch(() => redis.disconnect()),
        Promise.resolve(s3.destroy()),
        Promise.resolve(kms.destroy()),
        Promise.resolve(sns.destroy()),
        Promise.resolve(sqs.destroy()),
      ]);
    },
  };
}
