import { SQSClient } from '@aws-sdk/client-sqs';
import { RedisRevocationStore, type RevocationChecker } from '@medvault/common/auth';
import { awsClientConfig, queueUrl } from '@medvault/common/aws';
import { type IdempotencyStore, RedisIdempotencyStore } from '@medvault/common/bus';
import { createMongo, createRedis, readPem } from '@medvault/common/clients';
import {
  type CallerPolicy,
  type DependencyCheck,
  gatewayOnlyCallers,
  mongoCheck,
  redisCheck,
  sqsCheck,
} from '@medvault/common/http';
import { createLogger, type Logger } from '@medvault/common/logger';
import type { Redis } from 'ioredis';
import type { Db, MongoClient } from 'mongodb';
import nodemailer from 'nodemailer';
import type { Mailer } from './channels/email.js';
import type { Config } from './config.js';

export const SERVICE = 'notify';

/** Everything the notify service talks to. The only place its clients are constructed. */
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
  /** The instance's one subscriber connection (a subscribed Redis connection can do nothing else). */
  subscriber: Redis;
  sqs: SQSClient;
  queueUrl: string;
  idempotency: IdempotencyStore;
  mailer: Mailer;
  now: () => Date;
  close(): Promise<void>;
}

export function buildDeps(config: Config): Deps {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const aws = awsClientConfig(config);
  const { client: mongo, db } = createMongo(config.MONGO_URL, 'medvault-notify', config.MONGO_DB);
  const redis = createRedis(config.REDIS_URL, 'medvault-notify');
  const subscriber = createRedis(config.REDIS_URL, 'medvault-notify-sub');
  // Reconnects are retried by ioredis; the readiness check reports redis down meanwhile.
  subscriber.on('error', () => undefined);
  const sqs = new SQSClient(aws);
  const queue = queueUrl(config.QUEUE_URL_BASE, config.NOTIFY_QUEUE_NAME);
  const idempotency = new RedisIdempotencyStore(redis);
  const jwtPublicKey = readPem(
    config.JWT_PUBLIC_KEY,
    config.JWT_PUBLIC_KEY_FILE,
    'JWT public key (JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE)',
  );
  const revocation = new RedisRevocationStore(redis);
  const transport = nodemailer.createTransport({
    host: config.SMTP_HOST,
    port: config.SMTP_PORT,
    secure: config.SMTP_SECURE,
    ...(config.SMTP_USER && config.SMTP_PASSWORD
      ? { auth: { user: config.SMTP_USER, pass: config.SMTP_PASSWORD } }
      : {}),
    connectionTimeout: 5000,
    socketTimeout: 10_000,
  });
  const mailer: Mailer = {
    send: async (m) => {
      await transport.sendMail({ from: config.SMTP_FROM, to: m.to, subject: m.subject, text: m.text });
    },
  };
  const checks: DependencyCheck[] = [mongoCheck(db), redisCheck(redis), sqsCheck(sqs, queue)];
  return {
    config,
    logger,
    checks,
    // No bus grant (least privilege, infra/iam/notify.json): a refused direct request leaves its
    // trail in the log (warn, event "access.denied") and the refusal metric, not on the bus.
    callers: gatewayOnlyCallers(config, { jwtPublicKey }),
    jwtPublicKey,
    revocation,
    mongo,
    db,
    redis,
    subscriber,
    sqs,
    queueUrl: queue,
    idempotency,
    mailer,
    now: () => new Date(),
    close: async () => {
      transport.close();
      await Promise.allSettled([
        mongo.close(),
        redis.quit().catch(() => redis.disconnect()),
        subscriber.quit().catch(() => subscriber.disconnect()),
        Promise.resolve(sqs.destroy()),
      ]);
    },
  };
}
