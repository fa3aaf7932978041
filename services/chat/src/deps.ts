import type { SQSClient } from '@aws-sdk/client-sqs';
import { type RedisRevocationStore, RevocationWatcher } from '@medvault/common/auth';
import { type EventPublisher, type IdempotencyStore, RedisIdempotencyStore } from '@medvault/common/bus';
import { KmsDataKeyProvider } from '@medvault/common/crypto';
import { RedisLiveHub } from '@medvault/common/live';
import { platform, type UserServiceDeps } from '@medvault/common/platform';
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
import { RedisPresence } from './adapters/redis-presence.js';
import { RedisRateLimiter } from './adapters/redis-rate-limit.js';
import type { Config } from './config.js';
import type { ChatPorts, LiveFrame } from './domain/ports.js';

export const SERVICE = 'chat';

/** Everything the chat service talks to. The only place its clients and adapters are built. */
export interface Deps extends UserServiceDeps<Config> {
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
  hub: RedisLiveHub<LiveFrame>;
  presence: RedisPresence;
  /** Creates the collections' indexes (idempotent). */
  ensureIndexes(): Promise<void>;
}

export function buildDeps(config: Config): Deps {
  // The common platform builds every client from the config, with its readiness check and close.
  const p = platform(SERVICE, config);
  const logger = p.logger;
  const { client: mongo, db } = p.mongo();
  const redis = p.redis();
  // A subscribed connection can do nothing else: the live hub and revocation watcher share this one.
  const subscriber = p.subscriber();
  const { publisher } = p.publisher();
  const { sqs, queueUrl } = p.queue(config.CHAT_QUEUE_NAME);
  const kms = p.kms({ keyId: config.KMS_DATA_KEY_ID });
  const revocation = p.revocation();
  const revocations = new RevocationWatcher(subscriber, revocation, {
    onError: (err, msg) => logger.warn({ err }, msg),
  });
  const conversations = new MongoConversations(db);
  const messages = new MongoMessages(db);
  const flags = new MongoFlags(db);
  const mutes = new MongoMutes(db);
  const directory = new MongoDirectory(db);
  const hub = new RedisLiveHub<LiveFrame>(redis, subscriber, config.CHAT_LIVE_CHANNEL, logger, (f) => f.recipients);
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
      replayLimit: config.SSE_REPLAY_LIMIT,
    },
  };
  return {
    config,
    logger,
    checks: p.checks,
    tokenAuth: p.tokenAuth(),
    callers: p.gatewayOnly(),
    revocation,
    revocations,
    mongo,
    redis,
    sqs,
    queueUrl,
    idempotency: new RedisIdempotencyStore(redis),
    publisher,
    ports,
    directory,
    hub,
    presence,
    ensureIndexes: async () => {
      await Promise.all([conversations.ensureIndexes(), messages.ensureIndexes(), flags.ensureIndexes()]);
    },
    close: () => p.close(),
  };
}
