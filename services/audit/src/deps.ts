import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { RedisRevocationStore, type RevocationChecker } from '@medvault/common/auth';
import { awsClientConfig, queueUrl, s3ClientConfig } from '@medvault/common/aws';
import { createMongo, createRedis, readPem } from '@medvault/common/clients';
import {
  type CallerPolicy,
  type DependencyCheck,
  gatewayOnlyCallers,
  kmsCheck,
  mongoCheck,
  redisCheck,
  type Startable,
  s3Check,
  sqsCheck,
} from '@medvault/common/http';
import { createLogger, type Logger } from '@medvault/common/logger';
import type { Redis } from 'ioredis';
import type { Db, MongoClient } from 'mongodb';
import { KmsPublicKeyVerifier, KmsSigner } from './adapters/kms-signer.js';
import { MongoCheckpointLedger } from './adapters/mongo-checkpoints.js';
import { MongoLease } from './adapters/mongo-lease.js';
import { MongoRecordStore } from './adapters/mongo-records.js';
import { RedisRecordedEvents } from './adapters/redis-recorded.js';
import { S3CheckpointArchive } from './adapters/s3-archive.js';
import { S3SegmentStore } from './adapters/s3-segments.js';
import { type AuditLog, createAuditLog } from './app/audit-log.js';
import type { Config } from './config.js';
import type { Digest } from './domain/digest.js';
import { sealerJob } from './jobs/sealer.js';
import { createAuditBatchConsumer } from './messaging/batch-consumer.js';

export const SERVICE = 'audit';

export type AuditCore = AuditLog<MongoRecordStore>;

/** Everything the audit service talks to. The only place its clients are constructed. */
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
  sqs: SQSClient;
  queueUrl: string;
  /** The audit queue's batch consumer (main.ts starts it). */
  consumer: Startable;
  /** The audit log itself (chain writer, sealing, verification). */
  audit: AuditCore;
  /** Background sealing (main.ts starts it beside the consumer). */
  sealer: Startable;
  close(): Promise<void>;
}

// The sealer's lease outlives a few ticks, so a live holder keeps it and a dead one frees it soon.
const LEASE_TICKS = 6;

/** The audit log over Mongo, S3 and KMS (service and CLI share this wiring). */
function buildAuditLog(io: { db: Db; redis?: Redis; s3: S3Client; kms: KMSClient; config: Config; logger: Logger }) {
  const { config } = io;
  const prefix = config.AUDIT_CHECKPOINT_PREFIX;
  let kick = () => {};
  const audit = createAuditLog(
    {
      store: new MongoRecordStore(io.db),
      segments: new S3SegmentStore(io.s3, config.BUCKET_AUDIT, prefix),
      digestLedger: new MongoCheckpointLedger<Digest>(io.db, 'digests'),
      archive: new S3CheckpointArchive(io.s3, config.BUCKET_AUDIT, prefix),
      checkpointLedger: new MongoCheckpointLedger(io.db),
      lease: new MongoLease(io.db, 'sealer', config.CHECKPOINT_TICK_SECONDS * 1000 * LEASE_TICKS),
      signer: new KmsSigner(io.kms, config.KMS_AUDIT_SIGNING_KEY_ID),
      verifier: new KmsPublicKeyVerifier(io.kms, config.KMS_AUDIT_SIGNING_KEY_ID),
      ...(io.redis ? { recorded: new RedisRecordedEvents(io.redis, io.db.databaseName) } : {}),
    },
    {
      sealEvery: config.CHECKPOINT_EVERY,
      sealIntervalSeconds: config.CHECKPOINT_INTERVAL_SECONDS,
      appendBatch: config.AUDIT_APPEND_BATCH,
      onSealDue: () => kick(),
    },
  );
  const sealer = sealerJob(audit.sealer, config.CHECKPOINT_TICK_SECONDS, io.logger);
  kick = sealer.kick;
  return { audit, sealer };
}

export function buildDeps(config: Config): Deps {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const aws = awsClientConfig(config);
  const { client: mongo, db } = createMongo(config.MONGO_URL, 'medvault-audit', config.MONGO_DB);
  const redis = createRedis(config.REDIS_URL, 'medvault-audit');
  const s3 = new S3Client(s3ClientConfig(config));
  const kms = new KMSClient(aws);
  const sqs = new SQSClient(aws);
  const queue = queueUrl(config.QUEUE_URL_BASE, config.AUDIT_QUEUE_NAME);
  const jwtPublicKey = readPem(
    config.JWT_PUBLIC_KEY,
    config.JWT_PUBLIC_KEY_FILE,
    'JWT public key (JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE)',
  );
  const revocation = new RedisRevocationStore(redis);
  const checks: DependencyCheck[] = [
    mongoCheck(db),
    redisCheck(redis),
    s3Check(s3, config.BUCKET_AUDIT),
    kmsCheck(kms, config.KMS_AUDIT_SIGNING_KEY_ID),
    sqsCheck(sqs, queue),
  ];
  const { audit, sealer } = buildAuditLog({ db, redis, s3, kms, config, logger });
  return {
    config,
    logger,
    checks,
    jwtPublicKey,
    callers: gatewayOnlyCallers(config, { jwtPublicKey, denied: (e) => audit.ingest(e) }),
    revocation,
    mongo,
    db,
    redis,
    s3,
    kms,
    sqs,
    queueUrl: queue,
    consumer: createAuditBatchConsumer({
      sqs,
      queueUrl: queue,
      logger,
      ingestMany: (events) => audit.ingestMany(events),
    }),
    audit,
    sealer,
    close: async () => {
      await Promise.allSettled([
        mongo.close(),
        redis.quit().catch(() => redis.disconnect()),
        Promise.resolve(s3.destroy()),
        Promise.resolve(kms.destroy()),
        Promise.resolve(sqs.destroy()),
      ]);
    },
  };
}

/** What the verify CLI needs: Mongo, S3 and KMS with the service's configuration, nothing else. */
export interface CliDeps {
  config: Config;
  logger: Logger;
  audit: AuditCore;
  close(): Promise<void>;
}

export function buildCliDeps(config: Config): CliDeps {
  const logger = createLogger({ service: `${SERVICE}-cli`, level: config.LOG_LEVEL });
  const { client: mongo, db } = createMongo(config.MONGO_URL, 'medvault-audit-cli', config.MONGO_DB);
  const s3 = new S3Client(s3ClientConfig(config));
  const kms = new KMSClient(awsClientConfig(config));
  const { audit } = buildAuditLog({ db, s3, kms, config, logger });
  return {
    config,
    logger,
    audit,
    close: async () => {
      await Promise.allSettled([mongo.close(), Promise.resolve(s3.destroy()), Promise.resolve(kms.destroy())]);
    },
  };
}
