import { KMSClient } from '@aws-sdk/client-kms';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { RedisRevocationStore, RevocationWatcher } from '@medvault/common/auth';
import { awsClientConfig, queueUrl } from '@medvault/common/aws';
import {
  type EventPublisher,
  type IdempotencyStore,
  RedisIdempotencyStore,
  SnsEventPublisher,
} from '@medvault/common/bus';
import { createMongo, createRedis, readPem } from '@medvault/common/clients';
import { KmsDataKeyProvider } from '@medvault/common/crypto';
import {
  type CallerPolicy,
  type DependencyCheck,
  gatewayOnlyCallers,
  kmsCheck,
  mongoCheck,
  redisCheck,
  snsCheck,
  sqsCheck,
} from '@medvault/common/http';
import { createLogger, type Logger } from '@medvault/common/logger';
import type { Redis } from 'ioredis';
import type { MongoClient } from 'mongodb';
import { busEvents } from './adapters/bus-events.js';
import { GatewayFiles } from './adapters/gateway-files.js';
import { KmsTextCipher } from './adapters/kms-cipher.js';
import { MongoConversations } from './adapters/mongo-conversations.js';
import { MongoDirectory } from './adapters/mongo-directory.js';
import { MongoMessages } from './adapters/mongo-messages.js';
import { MongoFlags, MongoMutes } from './adapters/mongo-moderation.js';
import { obscenityMatcher } from './adapters/obscenity-matcher.js';
import { RedisLiveHub } from './adapters/redis-live.js';
import { RedisPresence } from './adapters/redis-presence.js';
import { RedisRateLimiter } from './adapters/redis-rate-limit.js';
import type { Config } from './config.js';
import type { ChatPorts } from './domain/ports.js';

export const SERVICE = 'chat';

/** Everything the chat service talks to. The only place its clients and adapters are built. */
export interface Deps {
  config: Config;
  logger: Logger;
  checks: DependencyCheck[];
  jwtPublicKey: string;
  callers: CallerPolicy;
  revocation: RedisRevocationStore;
  /** Ends open streams when their token is revoked (pushed over Redis). */
  revocations: RevocationWatcher;
  mongo: MongoClient;
  redis: Redis;
  sqs: SQSClient;
  queueUrl: string;
  idempotency: IdempotencyStore;
  publisher: EventPublisher;
  ports: ChatPorts;
  directory: MongoDirectory;
  hub: RedisLiveHub;
  presence: RedisPresence;
  /** Creates the collections' indexes (idempotent). */
  ensureIndexes(): Promise<void>;
  close(): Promise<void>;
}

export function buildDeps(config: Config): Deps {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const aws = awsClientConfig(config);
  const { client: mongo, db } = createMongo(config.MONGO_URL, 'medvault-chat', config.MONGO_DB);
  const redis = createRedis(config.REDIS_URL, 'medvault-chat');
  // A subscribed connection can do nothing else: the live hub and revocation watcher share this one.
  const subscriber = createRedis(config.REDIS_URL, 'medvault-chat-sub');
  subscriber.on('error', () => undefined);
  const sns = new SNSClient(aws);
  const sqs = new SQSClient(aws);
  const kms = new KMSClient(aws);
  const queue = queueUrl(config.QUEUE_URL_BASE, config.CHAT_QUEUE_NAME);
  const publisher = new SnsEventPublisher(sns, config.EVENTS_TOPIC_ARN);
  const jwtPublicKey = readPem(
    config.JWT_PUBLIC_KEY,
    config.JWT_PUBLIC_KEY_FILE,
    'JWT public key (JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE)',
  );
  const revocation = new RedisRevocationStore(redis);
  const revocations = new RevocationWatcher(subscriber, revocation, {
    onError: (err, msg) => logger.warn({ err }, msg),
  });
  const conversations = new MongoConversations(db);
  const messages = new MongoMessages(db);
  const flags = new MongoFlags(db);
  const mutes = new MongoMutes(db);
  const directory = new MongoDirectory(db);
  const hub = new RedisLiveHub(redis, subscriber, config.CHAT_LIVE_CHANNEL, logger);
  const presence = new RedisPresence(redis, (config.SSE_HEARTBEAT_SECONDS * 2 + 5) * 1000);
  const ports: ChatPorts = {
    conversations,
    messages,
    flags,
    mutes,
    directory,
    cipher: new KmsTextCipher(new KmsDataKeyProvider(kms, config.KMS_DATA_KEY_ID)),
    live: hub,
    presence,
    rateLimit: new RedisRateLimiter(redis, config.CHAT_RATE_LIMIT_MESSAGES, config.CHAT_RATE_LIMIT_WINDOW_SECONDS),
    files: new GatewayFiles(config.GATEWAY_URL.replace(/\/$/, '')),
    events: busEvents(publisher),
    clock: { now: () => new Date() },
    matcher: obscenityMatcher(),
    settings: {
      maxTextLength: config.CHAT_MAX_TEXT_LENGTH,
      maxAttachments: config.CHAT_MAX_ATTACHMENTS,
      editWindowSeconds: config.CHAT_EDIT_WINDOW_SECONDS,
      profanityAction: config.CHAT_PROFANITY_ACTION,
    },
  };
  const checks: DependencyCheck[] = [
    mongoCheck(db),
    redisCheck(redis),
    snsCheck(sns, config.EVENTS_TOPIC_ARN),
    sqsCheck(sqs, queue),
    kmsCheck(kms, config.KMS_DATA_KEY_ID),
  ];
  return {
    config,
    logger,
    checks,
    jwtPublicKey,
    callers: gatewayOnlyCallers(config, { jwtPublicKey, denied: (e) => publisher.publish(e) }),
    revocation,
    revocations,
    mongo,
    redis,
    sqs,
    queueUrl: queue,
    idempotency: new RedisIdempotencyStore(redis),
    publisher,
    ports,
    directory,
    hub,
    presence,
    ensureIndexes: async () => {
      await Promise.all([conversations.ensureIndexes(), messages.ensureIndexes(), flags.ensureIndexes()]);
    },
    close: async () => {
      await Promise.allSettled([
        mongo.close(),
        redis.quit().catch(() => redis.disconnect()),
        subscriber.quit().catch(() => subscriber.disconnect()),
        Promise.resolve(sns.destroy()),
        Promise.resolve(sqs.destroy()),
        Promise.resolve(kms.destroy()),
      ]);
    },
  };
}
