import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { RedisRevocationStore, type RevocationChecker } from '@medvault/common/auth';
import { awsClientConfig, queueUrl } from '@medvault/common/aws';
import {
  type EventPublisher,
  type IdempotencyStore,
  RedisIdempotencyStore,
  SnsEventPublisher,
} from '@medvault/common/bus';
import { createMongo, createRedis, readPem } from '@medvault/common/clients';
import {
  type CallerPolicy,
  type DependencyCheck,
  gatewayOnlyCallers,
  mongoCheck,
  redisCheck,
  snsCheck,
  sqsCheck,
} from '@medvault/common/http';
import { createLogger, type Logger } from '@medvault/common/logger';
import type { Redis } from 'ioredis';
import type { Db, MongoClient } from 'mongodb';
import type { Config } from './config.js';

export const SERVICE = 'appointments';

/** Everything the appointments service talks to. The only place its clients are constructed. */
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
  sns: SNSClient;
  sqs: SQSClient;
  queueUrl: string;
  idempotency: IdempotencyStore;
  publisher: EventPublisher;
  /** Injectable clock (tests of the care grace period). */
  now: () => Date;
  close(): Promise<void>;
}

export function buildDeps(config: Config): Deps {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const aws = awsClientConfig(config);
  const { client: mongo, db } = createMongo(config.MONGO_URL, 'medvault-appointments', config.MONGO_DB);
  const redis = createRedis(config.REDIS_URL, 'medvault-appointments');
  const sns = new SNSClient(aws);
  const sqs = new SQSClient(aws);
  const queue = queueUrl(config.QUEUE_URL_BASE, config.APPOINTMENTS_QUEUE_NAME);
  const publisher = new SnsEventPublisher(sns, config.EVENTS_TOPIC_ARN);
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
    snsCheck(sns, config.EVENTS_TOPIC_ARN),
    sqsCheck(sqs, queue),
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
    sns,
    sqs,
    queueUrl: queue,
    idempotency,
    publisher,
    now: () => new Date(),
    close: async () => {
      await Promise.allSettled([
        mongo.close(),
        redis.quit().catch(() => redis.disconnect()),
        Promise.resolve(sns.destroy()),
        Promise.resolve(sqs.destroy()),
      ]);
    },
  };
}
