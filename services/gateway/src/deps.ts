import type { Redis } from 'ioredis';
import type { Db, MongoClient } from 'mongodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig, queueUrl } from '@medvault/common/aws';
import { type RevocationChecker, RedisRevocationStore } from '@medvault/common/auth';
import { createMongo, createRedis, readPem } from '@medvault/common/clients';
import { type EventPublisher, SnsEventPublisher, type IdempotencyStore, RedisIdempotencyStore } from '@medvault/common/bus';
import { type DependencyCheck, mongoCheck, redisCheck, snsCheck, sqsCheck } from '@medvault/common/http';
import { createLogger, type Logger } from '@medvault/common/logger';
import type { Config } from './config.js';

export const SERVICE = 'gateway';

/** Everything the gateway service talks to. The only place its clients are constructed. */
export interface Deps {
  config: Config;
  logger: Logger;
  checks: DependencyCheck[];
  jwtPublicKey: string;
  revocation: RevocationChecker;
  mongo: MongoClient;
  db: Db;
  redis: Redis;
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
  const { client: mongo, db } = createMongo(config.MONGO_URL, 'medvault-gateway', config.MONGO_DB);
  const redis = createRedis(config.REDIS_URL, 'medvault-gateway');
  const sns = new SNSClient(aws);
  const publisher = new SnsEventPublisher(sns, config.EVENTS_TOPIC_ARN);
  const sqs = new SQSClient(aws);
  const queue = queueUrl(config.QUEUE_URL_BASE, config.GATEWAY_QUEUE_NAME);
  const idempotency = new RedisIdempotencyStore(redis);
  const jwtPublicKey = readPem(config.JWT_PUBLIC_KEY, config.JWT_PUBLIC_KEY_FILE, 'JWT public key (JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE)');
  const revocation = new RedisRevocationStore(redis);
  const checks: DependencyCheck[] = [mongoCheck(db), redisCheck(redis), snsCheck(sns, config.EVENTS_TOPIC_ARN), sqsCheck(sqs, queue)];
  return {
    config, logger, checks, jwtPublicKey, revocation, mongo, db, redis, sns, publisher, sqs, queueUrl: queue, idempotency,
    close: async () => {
      await Promise.allSettled([mongo.close(), redis.quit().catch(() => redis.disconnect()), Promise.resolve(sns.destroy()), Promise.resolve(sqs.destroy())]);
    },
  };
}
