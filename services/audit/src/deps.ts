import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { RedisRevocationStore, type RevocationChecker } from '@medvault/common/auth';
import { awsClientConfig, queueUrl, s3ClientConfig } from '@medvault/common/aws';
import { type IdempotencyStore, RedisIdempotencyStore } from '@medvault/common/bus';
import { createMongo, createRedis, readPem } from '@medvault/common/clients';
import {
  type CallerPolicy,
  type DependencyCheck,
  gatewayOnlyCallers,
  kmsCheck,
  mongoCheck,
  redisCheck,
  s3Check,
  sqsCheck,
} from '@medvault/common/http';
import { createLogger, type Logger } from '@medvault/common/logger';
import type { Redis } from 'ioredis';
import type { Db, MongoClient } from 'mongodb';
import type { Config } from './config.js';
import { type AuditCore, createAuditCore } from './core.js';

export const SERVICE = 'audit';

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
  idempotency: IdempotencyStore;
  /** The audit log itself (chain writer, checkpoints, verification). */
  audit: AuditCore;
  close(): Promise<void>;
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
    s3Check(s3, config.BUCKET_AUDIT),
    kmsCheck(kms, config.KMS_AUDIT_SIGNING_KEY_ID),
    sqsCheck(sqs, queue),
  ];
  const audit = createAuditCore({ db, redis, s3, kms, config, logger });
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
    idempotency,
    audit,
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
  const audit = createAuditCore({ db, s3, kms, config, logger });
  return {
    config,
    logger,
    audit,
    close: async () => {
      await Promise.allSettled([mongo.close(), Promise.resolve(s3.destroy()), Promise.resolve(kms.destroy())]);
    },
  };
}
