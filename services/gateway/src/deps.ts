import { readFileSync } from 'node:fs';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GatewayAssertionSigner, RedisRevocationStore, RevocationWatcher } from '@medvault/common/auth';
import { awsClientConfig, queueUrl } from '@medvault/common/aws';
import {
  createOutboxRelay,
  type EventPublisher,
  type IdempotencyStore,
  type OutboxRelay,
  RedisIdempotencyStore,
  SnsEventPublisher,
} from '@medvault/common/bus';
import { createMongo, createRedis, KeyedLock, readPem } from '@medvault/common/clients';
import { readKeyPem } from '@medvault/common/config';
import { type DependencyCheck, mongoCheck, redisCheck, snsCheck, sqsCheck } from '@medvault/common/http';
import { createLogger, type Logger } from '@medvault/common/logger';
import type { Redis } from 'ioredis';
import type { Db, MongoClient } from 'mongodb';
import { MongoUserRepository } from './adapters/mongo-users.js';
import { BackgroundPublisher } from './adapters/outbox.js';
import { RedisLoginThrottle, RedisNotBeforeReader, RedisRefreshTokenStore } from './adapters/redis-auth.js';
import { buildUpstreamAgents, type UpstreamAgents } from './adapters/upstream-agents.js';
import type { Config } from './config.js';
import { AuthService } from './domain/auth.js';
import { AccessTokenSigner } from './domain/tokens.js';
import { UserService } from './domain/users.js';

export const SERVICE = 'gateway';

export interface Upstreams {
  files: string;
  appointments: string;
  notify: string;
  audit: string;
  chat: string;
}

/** Everything the gateway service talks to. The only place its clients are constructed. */
export interface Deps {
  config: Config;
  logger: Logger;
  checks: DependencyCheck[];
  jwtPublicKey: string;
  revocation: RedisRevocationStore;
  /** Ends proxied event streams when their token is revoked or expires (pushed over Redis pub/sub). */
  revocationWatcher: RevocationWatcher;
  mongo: MongoClient;
  db: Db;
  redis: Redis;
  sns: SNSClient;
  publisher: EventPublisher;
  /** Non-blocking sink every gateway event goes through (access audit, auth, users). */
  events: BackgroundPublisher;
  sqs: SQSClient;
  queueUrl: string;
  idempotency: IdempotencyStore;
  userRepo: MongoUserRepository;
  /** Publishes the user.* events stored with each user change (started by main). */
  userEvents: OutboxRelay;
  users: UserService;
  auth: AuthService;
  upstreams: Upstreams;
  /** HTTP connections to the internal services: pooled for ordinary requests, apart for streams. */
  upstreamAgents: UpstreamAgents;
  /** Mints the assertion every proxied request carries: internal services accept nothing else. */
  assertions: GatewayAssertionSigner;
  /** PEM cert + key when TLS_CERT_FILE / TLS_KEY_FILE are configured. */
  tls?: { cert: string; key: string };
  close(): Promise<void>;
}

export function buildDeps(config: Config): Deps {
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const aws = awsClientConfig(config);
  const { client: mongo, db } = createMongo(config.MONGO_URL, 'medvault-gateway', config.MONGO_DB);
  const redis = createRedis(config.REDIS_URL, 'medvault-gateway');
  // A subscribed connection can do nothing else; ioredis reconnects it, the watcher re-checks then.
  const subscriber = createRedis(config.REDIS_URL, 'medvault-gateway-sub');
  subscriber.on('error', () => undefined);
  const sns = new SNSClient(aws);
  const publisher = new SnsEventPublisher(sns, config.EVENTS_TOPIC_ARN);
  const events = new BackgroundPublisher(publisher, logger, { maxQueue: config.AUDIT_QUEUE_MAX });
  const sqs = new SQSClient(aws);
  const queue = queueUrl(config.QUEUE_URL_BASE, config.GATEWAY_QUEUE_NAME);
  const idempotency = new RedisIdempotencyStore(redis);
  const jwtPublicKey = readPem(
    config.JWT_PUBLIC_KEY,
    config.JWT_PUBLIC_KEY_FILE,
    'JWT public key (JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE)',
  );
  const jwtPrivateKey = readPem(
    config.JWT_PRIVATE_KEY,
    config.JWT_PRIVATE_KEY_FILE,
    'JWT private key (JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE)',
  );
  const signer = new AccessTokenSigner({
    privateKeyPem: jwtPrivateKey,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });
  const revocation = new RedisRevocationStore(redis);
  const revocationWatcher = new RevocationWatcher(subscriber, revocation, {
    onError: (err, msg) => logger.warn({ err }, msg),
  });
  const upstreamAgents = buildUpstreamAgents({
    connections: config.UPSTREAM_CONNECTIONS,
    headersTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
    bodyTimeoutMs: config.UPSTREAM_BODY_TIMEOUT_MS,
  });
  const assertions = new GatewayAssertionSigner({
    privateKeyPem: readKeyPem(
      config.GATEWAY_ASSERTION_PRIVATE_KEY,
      config.GATEWAY_ASSERTION_PRIVATE_KEY_FILE,
      'GATEWAY_ASSERTION_PRIVATE_KEY',
      'GATEWAY_ASSERTION_PRIVATE_KEY_FILE',
    ),
    ttlSeconds: config.GATEWAY_ASSERTION_TTL_SECONDS,
    keyName: 'GATEWAY_ASSERTION_PRIVATE_KEY',
  });
  const userRepo = new MongoUserRepository(db, new KeyedLock(redis, `medvault:gateway:userlock:${config.MONGO_DB}`));
  const userEvents = createOutboxRelay({
    source: userRepo,
    publisher,
    logger,
    intervalMs: config.OUTBOX_INTERVAL_MS,
  });
  const users = new UserService({
    users: userRepo,
    revocation,
    outbox: userEvents,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    source: SERVICE,
  });
  const auth = new AuthService({
    users: userRepo,
    refresh: new RedisRefreshTokenStore(redis),
    throttle: new RedisLoginThrottle(redis, {
      threshold: config.LOGIN_MAX_FAILURES,
      baseSeconds: config.LOGIN_BACKOFF_BASE_SECONDS,
      maxSeconds: config.LOGIN_WINDOW_SECONDS,
      maxAccountsPerSource: config.LOGIN_MAX_FAILURES_PER_IP,
      slowAfter: config.LOGIN_ACCOUNT_SLOW_AFTER,
      slowMs: config.LOGIN_SLOWDOWN_MS,
      windowSeconds: config.LOGIN_WINDOW_SECONDS,
    }),
    revocation,
    notBefore: new RedisNotBeforeReader(redis),
    signer,
    events,
    refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    source: SERVICE,
  });
  const tls =
    config.TLS_CERT_FILE && config.TLS_KEY_FILE
      ? { cert: readFileSync(config.TLS_CERT_FILE, 'utf8'), key: readFileSync(config.TLS_KEY_FILE, 'utf8') }
      : undefined;
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
    revocation,
    revocationWatcher,
    mongo,
    db,
    redis,
    sns,
    publisher,
    events,
    sqs,
    queueUrl: queue,
    idempotency,
    userRepo,
    userEvents,
    users,
    auth,
    upstreams: {
      files: config.FILES_URL,
      appointments: config.APPOINTMENTS_URL,
      notify: config.NOTIFY_URL,
      audit: config.AUDIT_URL,
      chat: config.CHAT_URL,
    },
    upstreamAgents,
    assertions,
    ...(tls ? { tls } : {}),
    close: async () => {
      await events.stop(8_000); // flush queued access-audit events before the clients close
      await userEvents.stop();
      await Promise.allSettled([
        upstreamAgents.close(),
        mongo.close(),
        redis.quit().catch(() => redis.disconnect()),
        subscriber.quit().catch(() => subscriber.disconnect()),
        Promise.resolve(sns.destroy()),
        Promise.resolve(sqs.destroy()),
      ]);
    },
  };
}
