import type { Redis } from 'ioredis';
import type { Db, MongoClient } from 'mongodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { awsClientConfig } from '@medvault/common/aws';
import { type RevocationChecker, RedisRevocationStore } from '@medvault/common/auth';
import { createMongo, createRedis, readPem } from '@medvault/common/clients';
import { type EventPublisher, SnsEventPublisher } from '@medvault/common/bus';
import { type DependencyCheck, mongoCheck, redisCheck, snsCheck } from '@medvault/common/http';
import { createLogger, type Logger } from '@medvault/common/logger';
import type { Config } from './config.js';

export const SERVICE = 'appointments';

/** Everything the appointments service talks to. The only place its clients are constructed. */
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
  close(): Promise<void>;
}

export function buildDeps(config: Config): Deps {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const aws = awsClientConfig(config);
  const { client: mongo, db } = createMongo(config.MONGO_URL, 'medvault-appointments', config.MONGO_DB);
  const redis = createRedis(config.REDIS_URL, 'medvault-appointments');
  const sns = new SNSClient(aws);
  const publisher = new SnsEventPublisher(sns, config.EVENTS_TOPIC_ARN);
  const jwtPublicKey = readPem(config.JWT_PUBLIC_KEY, config.JWT_PUBLIC_KEY_FILE, 'JWT public key (JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE)');
  const revocation = new RedisRevocationStore(redis);
  const checks: DependencyCheck[] = [mongoCheck(db), redisCheck(redis), snsCheck(sns, config.EVENTS_TOPIC_ARN)];
  return {
    config, logger, checks, jwtPublicKey, revocation, mongo, db, redis, sns, publisher,
    close: async () => {
      await Promise.allSettled([mongo.close(), redis.quit().catch(() => redis.disconnect()), Promise.resolve(sns.destroy())]);
    },
  };
}
