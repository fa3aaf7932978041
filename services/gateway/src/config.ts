import { AwsConfigSchema, ConfigFields, GatewayAssertionSignerConfigSchema, loadConfig } from '@medvault/common/config';
import { type Static, Type } from '@sinclair/typebox';

const bool = (def: boolean) => Type.Boolean({ default: def });
const bytes = (def: number) => Type.Integer({ minimum: 1024, default: def });
const ms = (def: number) => Type.Integer({ minimum: 0, default: def });

/** Everything the gateway service reads from its environment, validated once at start. */
export const ConfigSchema = Type.Object({
  ...AwsConfigSchema.properties,
  GATEWAY_PORT: ConfigFields.port(8080),
  HOST: Type.String({ default: '127.0.0.1' }),
  NODE_ENV: ConfigFields.nodeEnv,
  LOG_LEVEL: ConfigFields.logLevel,
  MONGO_URL: ConfigFields.url(),
  /** Each service owns its database; tests point this at a scratch one. */
  MONGO_DB: Type.String({ minLength: 1, default: 'medvault_gateway' }),
  REDIS_URL: ConfigFields.url(),
  EVENTS_TOPIC_ARN: Type.String({ pattern: '^arn:aws:sns:' }),
  QUEUE_URL_BASE: ConfigFields.url(),
  GATEWAY_QUEUE_NAME: Type.String({ default: 'medvault-gateway' }),
  JWT_PUBLIC_KEY: Type.Optional(Type.String({ minLength: 1 })),
  JWT_PUBLIC_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  /** Only the gateway holds the signing key; every other service verifies with the public key. */
  JWT_PRIVATE_KEY: Type.Optional(Type.String({ minLength: 1 })),
  JWT_PRIVATE_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  JWT_ISSUER: Type.String({ default: 'medvault-gateway' }),
  JWT_AUDIENCE: Type.String({ default: 'medvault-api' }),
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
  /** Time to the upstream's response headers; SSE streams have no body timeout. */
  UPSTREAM_TIMEOUT_MS: ms(30_000),
  /** Idle time allowed between two body chunks of a proxied download/upload. */
  UPSTREAM_BODY_TIMEOUT_MS: ms(120_000),
  RATE_LIMIT_ENABLED: bool(true),
  /** Requests per window per user (authenticated) or per IP (anonymous). */
  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 600 }),
  RATE_LIMIT_ANON_MAX: Type.Integer({ minimum: 1, default: 120 }),
  RATE_LIMIT_WINDOW_SECONDS: ConfigFields.seconds(60),
  /** Failed logins tolerated per account, and distinct accounts failing from one IP (LOGIN_MAX_FAILURES_PER_IP), per window. */
  LOGIN_MAX_FAILURES: Type.Integer({ minimum: 1, default: 5 }),
  LOGIN_MAX_FAILURES_PER_IP: Type.Integer({ minimum: 1, default: 50 }),
  LOGIN_WINDOW_SECONDS: ConfigFields.seconds(900),
  /** Comma-separated allowed browser origins; empty = no cross-origin access. */
  CORS_ORIGINS: Type.String({ default: '' }),
  /** Trust X-Forwarded-For from a load balancer in front (false when the gateway is the edge). */
  TRUST_PROXY: bool(false),
  TLS_CERT_FILE: Type.Optional(Type.String({ minLength: 1 })),
  TLS_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  BODY_LIMIT_BYTES: bytes(256 * 1024),
  UPLOAD_BODY_LIMIT_BYTES: bytes(512 * 1024 * 1024),
  /** Slowloris defence: request bodies must keep this average rate after the grace period. */
  MIN_BODY_BYTES_PER_SECOND: Type.Integer({ minimum: 1, default: 1024 }),
  SLOW_BODY_GRACE_SECONDS: Type.Integer({ minimum: 1, default: 10 }),
  /** Bounded in-memory queue of access-audit events awaiting publication. */
  AUDIT_QUEUE_MAX: Type.Integer({ minimum: 10, default: 10_000 }),
  /** How often the user-event outbox is swept (each user change also triggers a pass at once). */
  OUTBOX_INTERVAL_MS: Type.Integer({ minimum: 50, default: 1000 }),
});
export type Config = Static<typeof ConfigSchema>;

export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = loadConfig(ConfigSchema, env);
  if (Boolean(config.TLS_CERT_FILE) !== Boolean(config.TLS_KEY_FILE)) {
    throw new Error('Invalid configuration: TLS_CERT_FILE and TLS_KEY_FILE must be set together');
  }
  return config;
}
