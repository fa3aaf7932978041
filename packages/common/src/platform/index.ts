import { KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Redis } from 'ioredis';
import type { Db, MongoClient } from 'mongodb';
import { RedisRevocationStore } from '../auth/revocation.js';
import { followRevocations, VerifiedTokenCache } from '../auth/token-cache.js';
import type { TokenVerifierOptions } from '../auth/verify.js';
import { awsClientConfig, queueUrl, s3ClientConfig } from '../aws/index.js';
import { type EventPublisher, SnsEventPublisher } from '../bus/publisher.js';
import { createMongo, createRedis, readPem } from '../clients/index.js';
import { type AwsConfig, ConfigError } from '../config/index.js';
import type { Envelope } from '../events/index.js';
import { type CallerPolicy, gatewayOnlyCallers } from '../http/callers.js';
import { kmsCheck, mongoCheck, redisCheck, s3Check, snsCheck, sqsCheck } from '../http/checks.js';
import type { DependencyCheck } from '../http/health.js';
import { createLogger, type Logger } from '../logger/index.js';
import { type MongoFlavour, type MongoSemantics, semanticsFor } from '../mongo/index.js';

/**
 * The keys a platform may read. A service's config has the ones of the clients it asks for;
 * asking for a client whose keys are absent fails at start naming the key.
 */
export type PlatformConfig = Partial<AwsConfig> & {
  LOG_LEVEL?: string;
  MONGO_URL?: string;
  MONGO_DB?: string;
  REDIS_URL?: string;
  EVENTS_TOPIC_ARN?: string;
  QUEUE_URL_BASE?: string;
  JWT_PUBLIC_KEY?: string | undefined;
  JWT_PUBLIC_KEY_FILE?: string | undefined;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  GATEWAY_ASSERTION_PUBLIC_KEY?: string | undefined;
  GATEWAY_ASSERTION_PUBLIC_KEY_FILE?: string;
};

/** Per-client timeouts for work that streams big objects or must fail fast (scanner, watermark). */
export interface AwsTimeouts {
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
}

export interface S3Options {
  /** Readiness heads each of them. */
  buckets: string[];
  timeouts?: AwsTimeouts;
  extra?: Partial<S3ClientConfig>;
}

export interface KmsOptions {
  /** Readiness describes it (and fails when it is disabled). */
  keyId: string;
  timeouts?: AwsTimeouts;
  extra?: Partial<KMSClientConfig>;
}

/**
 * S3 and KMS of a service that streams envelope-encrypted objects (files, scanner, watermark):
 * `p.s3({ buckets, ...encryptedObjects.s3 })`, `p.kms({ keyId, ...encryptedObjects.kms })`.
 * Response checksums only when required: for multipart objects (how files stores uploads) the
 * emulator reports a composite CRC the SDK rejects for the whole body, and every byte read is
 * authenticated by the envelope's AES-GCM segments anyway. Timeouts: a frozen S3 or KMS fails the
 * request or the attempt (SQS redelivers) instead of hanging it; S3 has longer for slow multipart parts.
 */
export const encryptedObjects: { s3: Omit<S3Options, 'buckets'>; kms: Omit<KmsOptions, 'keyId'> } = {
  s3: {
    timeouts: { requestTimeoutMs: 60_000, connectionTimeoutMs: 5_000 },
    extra: { responseChecksumValidation: 'WHEN_REQUIRED' },
  },
  kms: { timeouts: { requestTimeoutMs: 10_000, connectionTimeoutMs: 3_000 } },
};

function need<T>(value: T | undefined, key: string): T {
  if (value === undefined || value === '') throw new ConfigError([{ key, message: 'missing' }]);
  return value;
}

function handler(t: AwsTimeouts | undefined) {
  return t
    ? {
        requestHandler: {
          requestTimeout: t.requestTimeoutMs,
          connectionTimeout: t.connectionTimeoutMs,
          throwOnRequestTimeout: true,
        },
      }
    : {};
}

/**
 * The fields every service's `Deps` starts with (`interface Deps extends ServiceDeps<Config>`):
 * what the base app is built from (`createServiceApp(SERVICE, deps)`) and what main.ts closes.
 */
export interface ServiceDeps<C> {
  config: C;
  logger: Logger;
  checks: DependencyCheck[];
  /** Only the gateway may call: the assertion key and where direct hits are recorded. */
  callers: CallerPolicy;
  close(): Promise<void>;
}

/** ...of a service that serves users: access tokens, verified by the base app (with revocation). */
export interface UserServiceDeps<C> extends ServiceDeps<C> {
  tokenAuth: TokenVerifierOptions;
}

/**
 * One service's platform clients, built from its config on demand (only what the service asks
 * for is built), each with its readiness check registered in `checks`, all closed by `close()`.
 * The one place clients get their shared settings (timeouts, pool sizes, retries): deps.ts asks,
 * it never constructs an SDK client itself.
 */
export class Platform {
  readonly logger: Logger;
  readonly checks: DependencyCheck[] = [];
  private readonly closers: (() => Promise<unknown>)[] = [];
  private readonly first: (() => Promise<unknown>)[] = [];
  private cache = new Map<string, unknown>();

  constructor(
    readonly service: string,
    readonly config: PlatformConfig,
  ) {
    this.logger = createLogger({ service, level: config.LOG_LEVEL ?? 'info' });
  }

  private once<T>(key: string, make: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, make());
    return this.cache.get(key) as T;
  }

  private get aws() {
    return { ...awsClientConfig({ AWS_REGION: 'us-east-1', ...this.config }) };
  }

  /**
   * The service's database (MONGO_URL, MONGO_DB); readiness pings it. Retryable writes off (valid
   * on both servers); a service whose writes must be safe under concurrency uses `mongoWith`.
   */
  mongo(o: { retryWrites?: boolean } = {}): { client: MongoClient; db: Db } {
    return this.once('mongo', () => {
      const m = createMongo(
        need(this.config.MONGO_URL, 'MONGO_URL'),
        `medvault-${this.service}`,
        this.config.MONGO_DB,
        {
          ...o,
          onStall: (silentMs) =>
            this.logger.warn({ silentMs }, 'database monitor silent: rebuilding the database client'),
        },
      );
      this.checks.push(mongoCheck(m.db));
      this.closers.push(() => m.client.close());
      return m;
    });
  }

  /**
   * The database with the write semantics of its server (`flavour`, from `resolveFlavour(config)`
   * in buildDeps): on MongoDB retryable writes and atomic single-document updates, no Redis on the
   * write path; on FerretDB the named workaround (retryable writes off, a Redis lock per document,
   * keys `medvault:<service>:lock:<MONGO_DB>:<kind>:<id>`). See `@medvault/common/mongo`.
   */
  mongoWith(flavour: MongoFlavour): { client: MongoClient; db: Db; semantics: MongoSemantics } {
    const prefix = `medvault:${this.service}:lock:${this.config.MONGO_DB ?? 'default'}`;
    const semantics = semanticsFor(flavour, () => this.redis(), prefix);
    this.logger.info({ database: flavour, writeGuard: semantics.guard('any').name }, 'database semantics chosen');
    return { ...this.mongo({ retryWrites: semantics.retryWrites }), semantics };
  }

  /** The command connection to Redis (REDIS_URL); readiness PINGs it. */
  redis(): Redis {
    return this.once('redis', () => {
      const r = createRedis(need(this.config.REDIS_URL, 'REDIS_URL'), `medvault-${this.service}`, {
        autoPipelining: true,
      });
      this.checks.push(redisCheck(r));
      this.closers.push(() => r.quit().catch(() => r.disconnect()));
      return r;
    });
  }

  /**
   * A second Redis connection for SUBSCRIBE (a subscribed connection can do nothing else).
   * ioredis reconnects it; its users re-check what they missed on 'ready'. Not a readiness check:
   * the command connection's check covers the server.
   */
  subscriber(): Redis {
    return this.once('subscriber', () => {
      const r = createRedis(need(this.config.REDIS_URL, 'REDIS_URL'), `medvault-${this.service}-sub`);
      r.on('error', () => undefined);
      this.closers.push(() => r.quit().catch(() => r.disconnect()));
      return r;
    });
  }

  /** S3 with the shared settings; readiness heads each bucket the service names. */
  s3(o: S3Options): S3Client {
    return this.once('s3', () => {
      const s3 = new S3Client({
        ...s3ClientConfig({ AWS_REGION: 'us-east-1', ...this.config }),
        ...handler(o.timeouts),
        ...o.extra,
      });
      for (const b of o.buckets) this.checks.push(s3Check(s3, b));
      this.closers.push(async () => s3.destroy());
      return s3;
    });
  }

  /** KMS; readiness describes the key the service uses (and fails when it is disabled). */
  kms(o: KmsOptions): KMSClient {
    return this.once('kms', () => {
      const kms = new KMSClient({ ...this.aws, ...handler(o.timeouts), ...o.extra });
      this.checks.push(kmsCheck(kms, o.keyId));
      this.closers.push(async () => kms.destroy());
      return kms;
    });
  }

  /** SNS and the publisher to the events topic (EVENTS_TOPIC_ARN); readiness reads the topic. */
  publisher(): { sns: SNSClient; publisher: EventPublisher } {
    return this.once('sns', () => {
      const topic = need(this.config.EVENTS_TOPIC_ARN, 'EVENTS_TOPIC_ARN');
      const sns = new SNSClient(this.aws);
      this.checks.push(snsCheck(sns, topic));
      this.closers.push(async () => sns.destroy());
      return { sns, publisher: new SnsEventPublisher(sns, topic) };
    });
  }

  /** SQS and the URL of the service's queue (QUEUE_URL_BASE + name); readiness reads the queue. */
  queue(name: string): { sqs: SQSClient; queueUrl: string } {
    return this.once('sqs', () => {
      const url = queueUrl(need(this.config.QUEUE_URL_BASE, 'QUEUE_URL_BASE'), name);
      const sqs = new SQSClient(this.aws);
      this.checks.push(sqsCheck(sqs, url));
      this.closers.push(async () => sqs.destroy());
      return { sqs, queueUrl: url };
    });
  }

  /** The access-token public key (JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE). */
  jwtPublicKey(): string {
    return this.once('jwtPublicKey', () =>
      readPem(
        this.config.JWT_PUBLIC_KEY,
        this.config.JWT_PUBLIC_KEY_FILE,
        'JWT public key (JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE)',
      ),
    );
  }

  /** The revocation list in Redis (builds the Redis connection). */
  revocation(): RedisRevocationStore {
    return this.once('revocation', () => new RedisRevocationStore(this.redis()));
  }

  /**
   * What the base app's `auth` option takes: verify access tokens, fail closed on revocation.
   * With `cache` (the gateway), a verified token is reused until a revocation is pushed on the
   * subscriber connection or made by this process (VerifiedTokenCache); without the
   * subscription the cache stays off and every request is checked.
   */
  tokenAuth(o: { cache?: boolean } = {}): TokenVerifierOptions {
    return this.once(`tokenAuth:${Boolean(o.cache)}`, () => {
      const revocation = this.revocation();
      let cache: VerifiedTokenCache | undefined;
      if (o.cache) {
        const c = new VerifiedTokenCache();
        cache = c;
        revocation.onRevoke(() => c.invalidate());
        followRevocations(this.subscriber(), c).catch((err: unknown) =>
          this.logger.warn({ err }, 'token cache off until the revocation channel is subscribed'),
        );
      }
      return {
        publicKey: this.jwtPublicKey(),
        issuer: this.config.JWT_ISSUER ?? 'medvault-gateway',
        audience: this.config.JWT_AUDIENCE ?? 'medvault-api',
        revocation,
        ...(cache ? { cache } : {}),
      };
    });
  }

  /**
   * An internal service's caller policy: only requests the gateway vouches for; refusals go to
   * `denied` (by default the bus when the config has EVENTS_TOPIC_ARN, else the log only).
   */
  gatewayOnly(o: { denied?: (event: Envelope) => Promise<unknown> } = {}): CallerPolicy {
    const publishes = Boolean(this.config.EVENTS_TOPIC_ARN);
    const denied = o.denied ?? (publishes ? (e: Envelope) => this.publisher().publisher.publish(e) : undefined);
    return gatewayOnlyCallers(
      {
        GATEWAY_ASSERTION_PUBLIC_KEY: this.config.GATEWAY_ASSERTION_PUBLIC_KEY,
        GATEWAY_ASSERTION_PUBLIC_KEY_FILE:
          this.config.GATEWAY_ASSERTION_PUBLIC_KEY_FILE ?? '.local/state/internal/public.pem',
        JWT_ISSUER: this.config.JWT_ISSUER ?? 'medvault-gateway',
        JWT_AUDIENCE: this.config.JWT_AUDIENCE ?? 'medvault-api',
      },
      { jwtPublicKey: this.jwtPublicKey(), ...(denied ? { denied } : {}) },
    );
  }

  /** A readiness check of the service's own (clamd, SMTP...). */
  addCheck(check: DependencyCheck): void {
    this.checks.push(check);
  }

  /**
   * Work to finish before the clients close (flush an outbox, stop a relay), in registration
   * order: it still needs the clients.
   */
  beforeClose(fn: () => Promise<unknown>): void {
    this.first.push(fn);
  }

  /** Something else to close with the clients (an HTTP agent pool). */
  onClose(fn: () => Promise<unknown>): void {
    this.closers.push(fn);
  }

  /** Runs the beforeClose work in order, then closes every client built; never throws. */
  async close(): Promise<void> {
    for (const fn of this.first.splice(0)) {
      await fn().catch((err: unknown) => this.logger.warn({ err }, 'close step failed'));
    }
    await Promise.allSettled(this.closers.splice(0).map((fn) => fn()));
  }
}

/** The platform of one service, e.g. `const p = platform('files', config)` in deps.ts. */
export function platform(service: string, config: PlatformConfig): Platform {
  return new Platform(service, config);
}
