import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { RedisRevocationStore, type RevocationChecker } from '@medvault/common/auth';
import { awsClientConfig, queueUrl, s3ClientConfig } from '@medvault/common/aws';
import {
  createOutboxRelay,
  type EventPublisher,
  type IdempotencyStore,
  type OutboxRelay,
  RedisIdempotencyStore,
  SnsEventPublisher,
} from '@medvault/common/bus';
import { createMongo, createRedis, KeyedLock, readPem } from '@medvault/common/clients';
import { type DataKeyProvider, KmsDataKeyProvider } from '@medvault/common/crypto';
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
import { allowedContentTypes, type Config } from './config.js';
import { ObjectStore } from './storage/objects.js';
import { FilesRepo } from './store/files-repo.js';
import { GrantsRepo } from './store/grants-repo.js';
import { LinksRepo } from './store/links-repo.js';
import { Projections } from './store/projections.js';

/** Injectable clock: tests move it to day 29 / day 31 of the trash retention. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export const SERVICE = 'files';

/** Everything the files service talks to. The only place its clients are constructed. */
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
  keys: DataKeyProvider;
  objects: ObjectStore;
  files: FilesRepo;
  links: LinksRepo;
  grants: GrantsRepo;
  projections: Projections;
  allowedTypes: Set<string>;
  clock: Clock;
  /** Relays outbox events to SNS (started by main; tests flush it directly). */
  outbox: OutboxRelay;
  close(): Promise<void>;
}

export function buildDeps(config: Config): Deps {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const aws = awsClientConfig(config);
  const { client: mongo, db } = createMongo(config.MONGO_URL, 'medvault-files', config.MONGO_DB);
  const redis = createRedis(config.REDIS_URL, 'medvault-files');
  // Socket timeouts so a frozen dependency fails a request instead of hanging it for ever
  // (the outbox relay retries SNS; S3 is given longer for slow multipart parts).
  // Response checksums off unless required: for multipart objects the emulator reports a
  // composite CRC the SDK rejects for the whole body, and every byte we read is AEAD-authenticated anyway.
  const s3 = new S3Client({
    ...s3ClientConfig(config),
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { requestTimeout: 60_000, connectionTimeout: 5_000, throwOnRequestTimeout: true },
  });
  const kms = new KMSClient({
    ...aws,
    requestHandler: { requestTimeout: 10_000, connectionTimeout: 3_000, throwOnRequestTimeout: true },
  });
  const sns = new SNSClient({
    ...aws,
    maxAttempts: 1,
    requestHandler: { requestTimeout: 5_000, connectionTimeout: 3_000, throwOnRequestTimeout: true },
  });
  const publisher = new SnsEventPublisher(sns, config.EVENTS_TOPIC_ARN);
  const sqs = new SQSClient(aws);
  const queue = queueUrl(config.QUEUE_URL_BASE, config.FILES_QUEUE_NAME);
  const idempotency = new RedisIdempotencyStore(redis);
  const jwtPublicKey = readPem(
    config.JWT_PUBLIC_KEY,
    config.JWT_PUBLIC_KEY_FILE,
    'JWT public key (JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE)',
  );
  const revocation = new RedisRevocationStore(redis);
  const checks: DependencyCheck[] = [
    mongoCheck(db),
    redisCheck(redis),
    s3Check(s3, config.BUCKET_QUARANTINE),
    s3Check(s3, config.BUCKET_CLEAN),
    s3Check(s3, config.BUCKET_DERIVATIVES),
    kmsCheck(kms, config.KMS_DATA_KEY_ID),
    snsCheck(sns, config.EVENTS_TOPIC_ARN),
    sqsCheck(sqs, queue),
  ];
  const files = new FilesRepo(db, new KeyedLock(redis, `medvault:files:lock:${config.MONGO_DB}`));
  const deps: Deps = {
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
    keys: new KmsDataKeyProvider(kms, config.KMS_DATA_KEY_ID),
    objects: new ObjectStore(s3, {
      partSizeBytes: config.UPLOAD_PART_SIZE_MIB * 1024 * 1024,
      queueSize: config.UPLOAD_QUEUE_SIZE,
    }),
    files,
    links: new LinksRepo(db, new KeyedLock(redis, `medvault:files:linklock:${config.MONGO_DB}`)),
    grants: new GrantsRepo(db),
    projections: new Projections(db),
    allowedTypes: allowedContentTypes(config),
    clock: systemClock,
    outbox: createOutboxRelay({ source: files, publisher, logger, intervalMs: config.OUTBOX_INTERVAL_MS }),
    close: async () => {
      await deps.outbox.stop();
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
  return deps;
}
