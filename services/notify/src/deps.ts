import type { SQSClient } from '@aws-sdk/client-sqs';
import { RevocationWatcher } from '@medvault/common/auth';
import { type IdempotencyStore, RedisIdempotencyStore } from '@medvault/common/bus';
import { RedisLiveHub } from '@medvault/common/live';
import { platform, type UserServiceDeps } from '@medvault/common/platform';
import { onceSucceeded } from '@medvault/common/retry';
import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
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
import type { LiveNotification, Mailer } from './domain/ports.js';
import { WebhookWorker } from './jobs/webhook-delivery.js';

export const SERVICE = 'notify';

/** Everything the notify service talks to. The only place its clients are constructed. */
export interface Deps extends UserServiceDeps<Config> {
  db: Db;
  redis: Redis;
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
  hub: RedisLiveHub<LiveNotification>;
  revocations: RevocationWatcher;
  /** The use case: one event in, notifications out. */
  notifier: Notifier;
  /** The webhook delivery job (started by main). */
  webhooks: WebhookWorker;
  /** Development-only internal webhook targets (WEBHOOK_ALLOW_PRIVATE_HOSTS). */
  allowPrivate: AllowList;
  /** Unique indexes must exist before the first notification (they are the idempotency). */
  ready(): Promise<void>;
}

/** What the HTTP routes are given. */
export type Routed = Pick<Deps, 'c' | 'hub' | 'inbox' | 'preferences' | 'revocations' | 'allowPrivate'>;

export function buildDeps(config: Config): Deps {
  const p = platform(SERVICE, config);
  const logger = p.logger;
  const { db } = p.mongo();
  const redis = p.redis();
  // The instance's one subscriber connection (a subscribed Redis connection can do nothing else).
  const subscriber = p.subscriber();
  const { sqs, queueUrl } = p.queue(config.NOTIFY_QUEUE_NAME);
  const tokenAuth = p.tokenAuth();
  const mailer = smtpMailer(config);
  p.onClose(async () => mailer.close());
  // Adapters, then the use case and the job on them. `now` is read through deps: tests move it.
  const now = () => deps.now();
  const c = collections(db);
  const directory = new MongoDirectory(c.users);
  const inbox = new MongoInbox(c.notifications);
  const preferences = new MongoPreferences(c.preferences);
  const hub = new RedisLiveHub<LiveNotification>(redis, subscriber, config.LIVE_CHANNEL, logger, (n) => [
    n.recipientId,
  ]);
  // Same subscriber connection as the hub: each listens to its own channel on it.
  const revocations = new RevocationWatcher(subscriber, tokenAuth.revocation, {
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
  const deps: Deps = {
    config,
    logger,
    checks: p.checks,
    tokenAuth,
    // No bus grant (least privilege, infra/iam/notify.json): a refused direct request leaves its
    // trail in the log (warn, event "access.denied") and the refusal metric, not on the bus.
    callers: p.gatewayOnly(),
    db,
    redis,
    sqs,
    queueUrl,
    idempotency: new RedisIdempotencyStore(redis),
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
    ready: onceSucceeded(() => ensureIndexes(c)),
    close: () => p.close(),
  };
  return deps;
}
