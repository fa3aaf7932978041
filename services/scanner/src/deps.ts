import type { Redis } from 'ioredis';
import type { Db, MongoClient } from 'mongodb';
import { S3Client } from '@aws-sdk/client-s3';
import { KMSClient } from '@aws-sdk/client-kms';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig, s3ClientConfig, queueUrl } from '@medvault/common/aws';
import { type RevocationChecker, RedisRevocationStore } from '@medvault/common/auth';
import { createMongo, createRedis, readPem } from '@medvault/common/clients';
import { type EventPublisher, SnsEventPublisher, type IdempotencyStore, RedisIdempotencyStore } from '@medvault/common/bus';
import { type DependencyCheck, mongoCheck, redisCheck, s3Check, kmsCheck, snsCheck, sqsCheck } from '@medvault/common/http';
import { createLogger, type Logger } from '@medvault/common/logger';
import type { Config } from './config.js';

export const SERVICE = 'scanner';

/** Everything the scanner service talks to. The only place its clients are constructed. */
export interface Deps {
  config: Config;
  logger: Logger;
  checks: DependencyCheck[];
  jwtPublicKey: string;
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
  close(): Promise<void>;
}

export function buildDeps(config: Config): Deps {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const aws = awsClientConfig(config);
  const { client: mongo, db } = createMongo(config.MONGO_URL, 'medvault-scanner', config.MONGO_DB);
  const redis = createRedis(config.REDIS_URL, 'medvault-scanner');
  const s3 = new S3Client(s3ClientConfig(config));
  const kms = new KMSClient(aws);
  const sns = new SNSClient(aws);
  const publisher = new SnsEventPublisher(sns, config.EVENTS_TOPIC_ARN);
  const sqs = new SQSClient(aws);
  const queue = queueUrl(config.QUEUE_URL_BASE, config.SCANNER_QUEUE_NAME);
  const idempotency = new RedisIdempotencyStore(redis);
  const jwtPublicKey = readPem(config.JWT_PUBLIC_KEY, config.JWT_PUBLIC_KEY_FILE, 'JWT public key (JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE)');
  const revocation = new RedisRevocationStore(redis);
  const checks: DependencyCheck[] = [mongoCheck(db), redisCheck(redis), s3Check(s3, config.BUCKET_QUARANTINE), kmsCheck(kms, config.KMS_DATA_KEY_ID), snsCheck(sns, config.EVENTS_TOPIC_ARN), sqsCheck(sqs, queue)];
  return {
    config, logger, checks, jwtPublicKey, revocation, mongo, db, redis, s3, kms, sns, publisher, sqs, queueUrl: queue, idempotency,
    close: async () => {
      await Promise.allSettled([mongo.close(), redis.quit().catch(() => redis.disconnect()), Promise.resolve(s3.destroy()), Promise.resolve(kms.destroy()), Promise.resolve(sns.destroy()), Promise.resolve(sqs.destroy())]);
    },
  };
}
