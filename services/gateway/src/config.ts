import {
  AwsConfigSchema,
  ConfigFields,
  EventsTopicConfigSchema,
  GatewayAssertionSignerConfigSchema,
  JwtSignerConfigSchema,
  JwtVerifierConfigSchema,
  loadConfig,
  MongoFlavourConfigSchema,
  mongoConfigSchema,
  queueConfigSchema,
  RedisConfigSchema,
  serviceConfigSchema,
} from '@medvault/common/config';
import { type Static, Type } from '@sinclair/typebox';
import { passwordProblem } from './domain/password-policy.js';

const bool = (def: boolean) => Type.Boolean({ default: def });
const bytes = (def: number) => Type.Integer({ minimum: 1024, default: def });
const ms = (def: number) => Type.Integer({ minimum: 0, default: def });

/** Everything the gateway service reads from its environment, validated once at start. */
export const ConfigSchema = Type.Object({
  ...AwsConfigSchema.properties,
  ...serviceConfigSchema('GATEWAY_PORT', 8080).properties,
  /**
   * Operators' listener (detailed readiness, metrics); never the public address. Unset: GATEWAY_PORT
   * + 1000 (9080 for 8080), so side-by-side checkouts with their own GATEWAY_PORT never collide.
   */
  GATEWAY_ADMIN_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  GATEWAY_ADMIN_HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  ...mongoConfigSchema('medvault_gateway').properties,
  /** MONGO_FLAVOUR: the write semantics of the server (`@medvault/common/mongo`). */
  ...MongoFlavourConfigSchema.properties,
  ...RedisConfigSchema.properties,
  ...EventsTopicConfigSchema.properties,
  ...queueConfigSchema('GATEWAY_QUEUE_NAME', 'medvault-gateway').properties,
  ...JwtVerifierConfigSchema.properties,
  /** Only the gateway holds the signing key; every other service verifies with the public key. */
  ...JwtSignerConfigSchema.properties,
  /** Signs the assertion internal services require on every proxied request (common/auth/internal.ts). */
  ...GatewayAssertionSignerConfigSchema.properties,
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 30, maximum: 3600, default: 900 }),
  REFRESH_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 300, default: 7 * 24 * 3600 }),
  BOOTSTRAP_ADMIN_EMAIL: Type.Optional(Type.String({ pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$' })),
  BOOTSTRAP_ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 12 })),
  FILES_URL: ConfigFields.url(),
  APPOINTMENTS_URL: ConfigFields.url(),
  NOTIFY_URL: ConfigFields.url(),
  AUDIT_URL: ConfigFields.url(),
  /** Defaulted (unlike the others) so deployments without chat keep their configuration valid. */
  CHAT_URL: Type.String({ pattern: '^[a-z][a-z0-9+.-]*://', default: 'http://127.0.0.1:8087' }),
  /**
   * Services whose dead-letter queues (`medvault-<service>-dlq`) admins see and redrive
   * (GET /v1/admin/dead-letters); the gateway's IAM policy must grant them (infra/iam/gateway.json).
   */
  DEAD_LETTER_SERVICES: Type.String({ default: 'gateway,files,scanner,watermark,appointments,notify,audit,chat' }),
  /** Not routed to; only their readiness is shown to admins (GET /v1/admin/health) when set. */
  SCANNER_URL: Type.Optional(ConfigFields.url()),
  WATERMARK_URL: Type.Optional(ConfigFields.url()),
  /** Time to the upstream's response headers; SSE streams have no body timeout. */
  UPSTREAM_TIMEOUT_MS: ms(30_000),
  /** Idle time allowed between two body chunks of a proxied download/upload. */
  UPSTREAM_BODY_TIMEOUT_MS: ms(120_000),
  /** Pooled keep-alive connections per internal service for ordinary requests (event streams have their own). */
  UPSTREAM_CONNECTIONS: Type.Integer({ minimum: 1, default: 128 }),
  /** Concurrent notification streams one user may hold on one gateway instance (more: 429 TOO_MANY_STREAMS). */
  SSE_MAX_STREAMS_PER_USER: Type.Integer({ minimum: 1, default: 5 }),
  RATE_LIMIT_ENABLED: bool(true),
  /** Requests per window per user (authenticated) or per IP (anonymous). */
  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 600 }),
  RATE_LIMIT_ANON_MAX: Type.Integer({ minimum: 1, default: 120 }),
  RATE_LIMIT_WINDOW_SECONDS: ConfigFields.seconds(60),
  /** Failed logins of one source on one account before that pair backs off (exponentially). */
  LOGIN_MAX_FAILURES: Type.Integer({ minimum: 1, default: 5 }),
  /** First back-off of a (account, source) pair; doubles per further failure, capped at LOGIN_WINDOW_SECONDS. */
  LOGIN_BACKOFF_BASE_SECONDS: Type.Integer({ minimum: 1, default: 30 }),
  /** Distinct accounts failing from one source (IP, IPv6 /64) before the source is refused (spraying). */
  LOGIN_MAX_FAILURES_PER_IP: Type.Integer({ minimum: 1, default: 50 }),
  /** Failures on one account from all sources before every attempt on it waits LOGIN_SLOWDOWN_MS (never a lock). */
  LOGIN_ACCOUNT_SLOW_AFTER: Type.Integer({ minimum: 1, default: 20 }),
  LOGIN_SLOWDOWN_MS: Type.Integer({ minimum: 0, maximum: 10_000, default: 1000 }),
  LOGIN_WINDOW_SECONDS: ConfigFields.seconds(900),
  /** Comma-separated allowed browser origins; empty = no cross-origin access. */
  CORS_ORIGINS: Type.String({ default: '' }),
  /** Trust X-Forwarded-For from a load balancer in front (false when the gateway is the edge). */
  TRUST_PROXY: bool(false),
  TLS_CERT_FILE: Type.Optional(Type.String({ minLength: 1 })),
  TLS_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  BODY_LIMIT_BYTES: bytes(256 * 1024),
  /** files' MAX_UPLOAD_BYTES (2047 MiB) plus room for the multipart framing (issue 17). */
  UPLOAD_BODY_LIMIT_BYTES: bytes(2048 * 1024 * 1024),
  /** Slowloris defence: request bodies must keep this average rate after the grace period. */
  MIN_BODY_BYTES_PER_SECOND: Type.Integer({ minimum: 1, default: 1024 }),
  SLOW_BODY_GRACE_SECONDS: Type.Integer({ minimum: 1, default: 10 }),
  /** Bounded in-memory queue of access-audit events awaiting publication. */
  AUDIT_QUEUE_MAX: Type.Integer({ minimum: 10, default: 10_000 }),
  /** How often the user-event outbox is swept (each user change also triggers a pass at once). */
  OUTBOX_INTERVAL_MS: Type.Integer({ minimum: 50, default: 1000 }),
});
export type Config = Static<typeof ConfigSchema> & { GATEWAY_ADMIN_PORT: number };

/** Port 0 (ephemeral, tests) stays ephemeral for both listeners. */
function adminPortOf(c: Static<typeof ConfigSchema>): number {
  if (c.GATEWAY_ADMIN_PORT !== undefined) return c.GATEWAY_ADMIN_PORT;
  if (c.GATEWAY_PORT === 0) return 0;
  const port = c.GATEWAY_PORT + 1000;
  if (port > 65535) throw new Error('Invalid configuration: set GATEWAY_ADMIN_PORT (GATEWAY_PORT + 1000 is no port)');
  return port;
}

export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const loaded = loadConfig(ConfigSchema, env);
  const config = { ...loaded, GATEWAY_ADMIN_PORT: adminPortOf(loaded) };
  if (Boolean(config.TLS_CERT_FILE) !== Boolean(config.TLS_KEY_FILE)) {
    throw new Error('Invalid configuration: TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  }
  if (config.GATEWAY_ADMIN_PORT === config.GATEWAY_PORT && config.GATEWAY_PORT !== 0) {
    throw new Error('Invalid configuration: GATEWAY_ADMIN_PORT must differ from GATEWAY_PORT');
  }
  // The first admin obeys the same password policy as everyone (bootstrap would otherwise retry for ever).
  if (config.BOOTSTRAP_ADMIN_EMAIL && config.BOOTSTRAP_ADMIN_PASSWORD) {
    const problem = passwordProblem(config.BOOTSTRAP_ADMIN_PASSWORD, { name: 'Bootstrap admin' });
    if (problem) throw new Error(`Invalid configuration: BOOTSTRAP_ADMIN_PASSWORD ${problem}`);
  }
  return config;
}
