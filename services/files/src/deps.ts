import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { RedisRevocationStore, type RevocationChecker } from '@medvault/common/auth';
import { awsClientConfig, queueUrl, s3ClientConfig } from '@medvault/common/aws';
import {
  type EventPublisher,
  type IdempotencyStore,
  type OutboxRelay,
  RedisIdempotencyStore,
  SnsEventPublisher,
} from '@medvault/common/bus';
import { createRedis, readPem } from '@medvault/common/clients';
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
import { type Db, MongoClient } from 'mongodb';
import { FilesRepo } from './adapters/files-repo.js';
import { GrantsRepo } from './adapters/grants-repo.js';
import { LinksRepo } from './adapters/links-repo.js';
import { detectFlavour, type MongoFlavour, type MongoSemantics, semanticsFor } from './adapters/mongo-flavour.js';
import { ObjectStore } from './adapters/objects.js';
import { Projections } from './adapters/projections.js';
import { allowedContentTypes, type Config } from './config.js';
import type { Clock, FilesPorts, FilesSettings } from './domain/ports.js';
import { createClaimingOutboxRelay } from './jobs/outbox-relay.js';

export type { Clock } from './domain/ports.js';
export const systemClock: Clock = { now: () => new Date() };

export const SERVICE = 'files';

/**
 * The files service composed: the use cases' ports (FilesPorts: adapters chosen here) plus what
 * app.ts and main.ts need to serve, consume and run jobs. The only place clients are constructed.
 */
export interface Deps extends FilesPorts {
  config: Config;
  logger: Logger;
  checks: DependencyCheck[];
  jwtPublicKey: string;
  /** Only the gateway may call: the assertion key and where direct hits are recorded. */
  callers: CallerPolicy;
  revocation: RevocationChecker;
  /** Which server the database is, and so which write semantics the repositories use. */
  mongo: MongoSemantics;
  db: Db;
  sqs: SQSClient;
  queueUrl: string;
  idempotency: IdempotencyStore;
  files: FilesRepo;
  grants: GrantsRepo;
  /** Relays outbox events to SNS (started by main, kicked by the repository's writes; tests flush it). */
  outbox: OutboxRelay;
  close(): Promise<void>;
}

/**
 * Builds the files service for `config`. Asks the database what it is first (MONGO_FLAVOUR
 * auto): production MongoDB gets retryable writes and atomic single-document updates; the local
 * FerretDB gets the clearly named workaround (retryable writes off, adapters/ferretdb-write-lock).
 */
export async function buildDeps(config: Config): Promise<Deps> {
  const flavour: MongoFlavour =
    config.MONGO_FLAVOUR === 'auto' ? await detectFlavour(config.MONGO_URL) : config.MONGO_FLAVOUR;
  return composeDeps(config, flavour);
}

function settingsOf(config: Config): FilesSettings {
  return {
    BUCKET_QUARANTINE: config.BUCKET_QUARANTINE,
    BUCKET_CLEAN: config.BUCKET_CLEAN,
    MAX_UPLOAD_BYTES: config.MAX_UPLOAD_BYTES,
    allowedTypes: allowedContentTypes(config),
    TRASH_RETENTION_DAYS: config.TRASH_RETENTION_DAYS,
    LINK_SIGNING_SECRET: config.LINK_SIGNING_SECRET,
    LINK_DEFAULT_TTL_SECONDS: config.LINK_DEFAULT_TTL_SECONDS,
    LINK_MAX_TTL_SECONDS: config.LINK_MAX_TTL_SECONDS,
    EMERGENCY_ACCESS_MINUTES: config.EMERGENCY_ACCESS_MINUTES,
  };
}

export function composeDeps(config: Config, flavour: MongoFlavour): Deps {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const aws = awsClientConfig(config);
  const redis = createRedis(config.REDIS_URL, 'medvault-files');
  const semantics = semanticsFor(flavour, redis, `medvault:files:lock:${config.MONGO_DB}`);
  // No eager connect: the service starts (and reports not-ready naming mongo) while the database is down.
  const mongo = new MongoClient(config.MONGO_URL, {
    appName: 'medvault-files',
    serverSelectionTimeoutMS: 5000,
    connectTimeoutMS: 5000,
    maxPoolSize: 20,
    retryWrites: semantics.retryWrites,
  });
  const db = mongo.db(config.MONGO_DB);
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
  const files = new FilesRepo(db, semantics.guard('file'));
  const outbox = createClaimingOutboxRelay({
    source: files,
    publisher,
    logger,
    intervalMs: config.OUTBOX_INTERVAL_MS,
  });
  // Every write that adds events starts a relay pass (looked up at call time: tests replace kick).
  files.onEvents = () => outbox.kick();
  logger.info({ database: flavour, writeGuard: semantics.guard('file').name }, 'database semantics chosen');
  const deps: Deps = {
    config,
    logger,
    checks,
    jwtPublicKey,
    callers: gatewayOnlyCallers(config, { jwtPublicKey, denied: (e) => publisher.publish(e) }),
    revocation,
    mongo: semantics,
    db,
    sqs,
    queueUrl: queue,
    idempotency,
    publisher,
    keys: new KmsDataKeyProvider(kms, config.KMS_DATA_KEY_ID),
    objects: new ObjectStore(s3, {
      partSizeBytes: config.UPLOAD_PART_SIZE_MIB * 1024 * 1024,
      queueSize: config.UPLOAD_QUEUE_SIZE,
    }),
    files,
    links: new LinksRepo(db, semantics.guard('link')),
    grants: new GrantsRepo(db),
    projections: new Projections(db),
    settings: settingsOf(config),
    clock: systemClock,
    outbox,
    close: async () => {
      await outbox.stop();
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
