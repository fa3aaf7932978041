import { readFileSync } from 'node:fs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  AccessTokenSigner,
  GatewayAssertionSigner,
  type Principal,
  type RedisRevocationStore,
  RevocationWatcher,
  type TokenVerifierOptions,
} from '@medvault/common/auth';
import {
  createOutboxRelay,
  type EventPublisher,
  type IdempotencyStore,
  type OutboxRelay,
  RedisIdempotencyStore,
} from '@medvault/common/bus';
import { readPem } from '@medvault/common/clients';
import { readKeyPem } from '@medvault/common/config';
import type { DependencyCheck } from '@medvault/common/http';
import type { Logger } from '@medvault/common/logger';
import { type MongoFlavour, type MongoSemantics, resolveFlavour } from '@medvault/common/mongo';
import { platform } from '@medvault/common/platform';
import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import { MongoCareLinks } from './adapters/mongo-care.js';
import { MongoUserRepository } from './adapters/mongo-users.js';
import { BackgroundPublisher } from './adapters/outbox.js';
import { RedisLoginThrottle, RedisNotBeforeReader, RedisRefreshTokenStore } from './adapters/redis-auth.js';
import { SqsDeadLetterQueues } from './adapters/sqs-dead-letters.js';
import { buildUpstreamAgents, type UpstreamAgents } from './adapters/upstream-agents.js';
import { type SessionUseCases, sessionUseCases } from './app/auth.js';
import { bootstrapAdmin } from './app/bootstrap-admin.js';
import { type DeadLetterUseCases, deadLetterUseCases } from './app/dead-letters.js';
import { listPeople } from './app/list-people.js';
import { type UserUseCases, userUseCases } from './app/users.js';
import type { Config } from './config.js';
import { parseServiceList } from './domain/dead-letters.js';
import type { Addressable, PeopleFilter } from './domain/people.js';

export const SERVICE = 'gateway';

export interface Upstreams {
  files: string;
  appointments: string;
  notify: string;
  audit: string;
  chat: string;
}

/** Everything the gateway service talks to, and its use cases. The only place they are built. */
export interface Deps {
  config: Config;
  logger: Logger;
  checks: DependencyCheck[];
  /** Access tokens: verified by the base app (with revocation), signed by `auth`. */
  tokenAuth: TokenVerifierOptions;
  jwtPublicKey: string;
  revocation: RedisRevocationStore;
  /** Ends proxied event streams when their token is revoked or expires (pushed over Redis pub/sub). */
  revocationWatcher: RevocationWatcher;
  db: Db;
  /** Which server the database is, and so how user writes are kept from losing each other. */
  mongo: MongoSemantics;
  redis: Redis;
  publisher: EventPublisher;
  /** Non-blocking sink every gateway event goes through (access audit, auth, users). */
  events: BackgroundPublisher;
  sqs: SQSClient;
  queueUrl: string;
  idempotency: IdempotencyStore;
  userRepo: MongoUserRepository;
  /** Publishes the user.* events stored with each user change (started by main). */
  userEvents: OutboxRelay;
  users: UserUseCases;
  /** Care relationships projected from appointments' care.* events (messaging/handlers.ts writes them). */
  careLinks: MongoCareLinks;
  /** The people picker: who the caller may address by name (GET /v1/people). */
  people: { list(p: Principal, f: PeopleFilter): Promise<Addressable[]> };
  auth: SessionUseCases;
  /** Email index and the first admin from configuration (idempotent; main retries it in the background). */
  bootstrapAdmin(): Promise<'created' | 'exists' | 'skipped'>;
  upstreams: Upstreams;
  /** Services the gateway does not route to but whose readiness the admin console shows (scanner, watermark). */
  healthTargets: Record<string, string>;
  /** The services' dead-letter queues on SQS, for the admin console (admins only). */
  deadLetters: DeadLetterUseCases;
  /** HTTP connections to the internal services: pooled for ordinary requests, apart for streams. */
  upstreamAgents: UpstreamAgents;
  /** Mints the assertion every proxied request carries: internal services accept nothing else. */
  assertions: GatewayAssertionSigner;
  /** PEM cert + key when TLS_CERT_FILE / TLS_KEY_FILE are configured. */
  tls?: { cert: string; key: string };
  close(): Promise<void>;
}

/**
 * Builds the gateway for `config`, asking the database what it is first (MONGO_FLAVOUR auto):
 * MongoDB gets atomic user writes and retryable writes, FerretDB the Redis-lock workaround.
 */
export async function buildDeps(config: Config): Promise<Deps> {
  return composeDeps(config, await resolveFlavour(config));
}

export function composeDeps(config: Config, flavour: MongoFlavour): Deps {
  const p = platform(SERVICE, config);
  const logger = p.logger;
  const { db, semantics } = p.mongoWith(flavour);
  const redis = p.redis();
  const { publisher } = p.publisher();
  const { sqs, queueUrl } = p.queue(config.GATEWAY_QUEUE_NAME);
  // The edge verifies every request: cached per token until a revocation is pushed (token-cache.ts).
  const tokenAuth = p.tokenAuth({ cache: true });
  const revocation = p.revocation();
  const events = new BackgroundPublisher(publisher, logger, { maxQueue: config.AUDIT_QUEUE_MAX });
  const revocationWatcher = new RevocationWatcher(p.subscriber(), revocation, {
    onError: (err, msg) => logger.warn({ err }, msg),
  });
  const signer = new AccessTokenSigner({
    privateKeyPem: readPem(
      config.JWT_PRIVATE_KEY,
      config.JWT_PRIVATE_KEY_FILE,
      'JWT private key (JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE)',
    ),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
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
  const userRepo = new MongoUserRepository(db, semantics.guard('user'));
  const userEvents = createOutboxRelay({ source: userRepo, publisher, logger, intervalMs: config.OUTBOX_INTERVAL_MS });
  const users = userUseCases({
    users: userRepo,
    revocation,
    outbox: userEvents,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    source: SERVICE,
  });
  const careLinks = new MongoCareLinks(db);
  const auth = sessionUseCases({
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
  // Flush queued access-audit events, then the user outbox, while the clients are still open.
  p.beforeClose(() => events.stop(8_000));
  p.beforeClose(() => userEvents.stop());
  p.onClose(() => upstreamAgents.close());
  return {
    config,
    logger,
    checks: p.checks,
    tokenAuth,
    jwtPublicKey: tokenAuth.publicKey,
    revocation,
    revocationWatcher,
    db,
    mongo: semantics,
    redis,
    publisher,
    events,
    sqs,
    queueUrl,
    idempotency: new RedisIdempotencyStore(redis),
    userRepo,
    userEvents,
    users,
    careLinks,
    people: { list: (principal, f) => listPeople({ care: careLinks, people: userRepo }, principal, f) },
    auth,
    bootstrapAdmin: () =>
      bootstrapAdmin({
        userRepo,
        users,
        admin: { email: config.BOOTSTRAP_ADMIN_EMAIL, password: config.BOOTSTRAP_ADMIN_PASSWORD },
      }),
    upstreams: {
      files: config.FILES_URL,
      appointments: config.APPOINTMENTS_URL,
      notify: config.NOTIFY_URL,
      audit: config.AUDIT_URL,
      chat: config.CHAT_URL,
    },
    healthTargets: {
      ...(config.SCANNER_URL ? { scanner: config.SCANNER_URL } : {}),
      ...(config.WATERMARK_URL ? { watermark: config.WATERMARK_URL } : {}),
    },
    deadLetters: deadLetterUseCases({
      queues: new SqsDeadLetterQueues(sqs, config.QUEUE_URL_BASE),
      services: parseServiceList(config.DEAD_LETTER_SERVICES),
      events,
      source: SERVICE,
    }),
    upstreamAgents,
    assertions,
    ...(tls ? { tls } : {}),
    close: () => p.close(),
  };
}
