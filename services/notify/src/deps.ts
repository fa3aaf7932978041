import { SQSClient } from '@aws-sdk/client-sqs';
import { RedisRevocationStore, type RevocationChecker, RevocationWatcher } from '@medvault/common/auth';
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
import { LiveHub } from './adapters/live-hub.js';
import {
  type Collections,
  collections,
  ensureIndexes,
  MongoDeliveries,
  MongoDirectory,
  MongoInbox,
  MongoPreferences,
  MongoWebhooks,
} from './adapters/mongo.js';
import { smtpMailer } from './adapters/smtp-mailer.js';
import { Notifier } from './app/notify.js';
import type { Config } from './config.js';
import { type AllowList, parseAllowList } from './domain/address-policy.js';
import type { Mailer } from './domain/ports.js';
import { WebhookWorker } from './jobs/webhook-delivery.js';

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
  c: Collections;
  directory: MongoDirectory;
  inbox: MongoInbox;
  preferences: MongoPreferences;
  /** Live fan-out of new inbox entries (Redis pub/sub) and the revocations that end streams. */
  hub: LiveHub;
  revocations: RevocationWatcher;
  /** The use case: one event in, notifications out. */
  notifier: Notifier;
  /** The webhook delivery job (started by main). */
  webhooks: WebhookWorker;
  /** Development-only internal webhook targets (WEBHOOK_ALLOW_PRIVATE_HOSTS). */
  allowPrivate: AllowList;
  /** Unique indexes must exist before the first notification (they are the idempotency). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** What the HTTP routes are given. */
export type Routed = Pick<Deps, 'c' | 'hub' | 'inbox' | 'preferences' | 'revocations' | 'allowPrivate'>;

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
  const mailer = smtpMailer(config);
  const checks: DependencyCheck[] = [mongoCheck(db), redisCheck(redis), sqsCheck(sqs, queue)];
  // Adapters, then the use case and the job on them. `now` is read through deps: tests move it.
  const now = () => deps.now();
  const c = collections(db);
  const directory = new MongoDirectory(c.users);
  const inbox = new MongoInbox(c.notifications);
  const preferences = new MongoPreferences(c.preferences);
  const hub = new LiveHub(redis, subscriber, config.LIVE_CHANNEL, logger);
  // Same subscriber connection as the hub: each listens to its own channel on it.
  const revocations = new RevocationWatcher(subscriber, revocation, {
    onError: (err, msg) => logger.warn({ err }, msg),
  });
  const allowPrivate = parseAllowList(config.WEBHOOK_ALLOW_PRIVATE_HOSTS);
  const notifier = new Notifier({
    directory,
    inbox,
    preferences,
    hub,
    mailer,
    deliveries: new MongoDeliveries(c.deliveries),
    webhooks: new MongoWebhooks(c.webhooks),
    baseUrl: config.PUBLIC_BASE_URL,
    now,
  });
  const webhooks = new WebhookWorker({
    c,
    redis,
    logger,
    now,
    pollMs: config.WEBHOOK_POLL_MS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    backoffBaseMs: config.WEBHOOK_BACKOFF_BASE_MS,
    backoffMaxMs: config.WEBHOOK_BACKOFF_MAX_MS,
    maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    disableAfter: config.WEBHOOK_DISABLE_AFTER,
    allowPrivate,
  });
  let indexes: Promise<void> | undefined;
  const deps: Deps = {
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
    c,
    directory,
    inbox,
    preferences,
    hub,
    revocations,
    notifier,
    webhooks,
    allowPrivate,
    ready: () => {
      indexes ??= ensureIndexes(c).catch((err: unknown) => {
        indexes = undefined;
        throw err;
      });
      return indexes;
    },
    close: async () => {
      mailer.close();
      await Promise.allSettled([
        mongo.close(),
        redis.quit().catch(() => redis.disconnect()),
        subscriber.quit().catch(() => subscriber.disconnect()),
        Promise.resolve(sqs.destroy()),
      ]);
    },
  };
  return deps;
}
