import { AwsConfigSchema, ConfigFields, GatewayAssertionKeyConfigSchema, loadConfig } from '@medvault/common/config';
import { type Static, Type } from '@sinclair/typebox';

/** Everything the files service reads from its environment, validated once at start. */
export const ConfigSchema = Type.Object({
  ...AwsConfigSchema.properties,
  FILES_PORT: ConfigFields.port(8081),
  HOST: Type.String({ default: '127.0.0.1' }),
  NODE_ENV: ConfigFields.nodeEnv,
  LOG_LEVEL: ConfigFields.logLevel,
  MONGO_URL: ConfigFields.url(),
  /** Each service owns its database; tests point this at a scratch one. */
  MONGO_DB: Type.String({ minLength: 1, default: 'medvault_files' }),
  REDIS_URL: ConfigFields.url(),
  EVENTS_TOPIC_ARN: Type.String({ pattern: '^arn:aws:sns:' }),
  QUEUE_URL_BASE: ConfigFields.url(),
  FILES_QUEUE_NAME: Type.String({ default: 'medvault-files' }),
  BUCKET_QUARANTINE: ConfigFields.nonEmpty(),
  BUCKET_CLEAN: ConfigFields.nonEmpty(),
  BUCKET_DERIVATIVES: ConfigFields.nonEmpty(),
  KMS_DATA_KEY_ID: ConfigFields.nonEmpty(),
  JWT_PUBLIC_KEY: Type.Optional(Type.String({ minLength: 1 })),
  JWT_PUBLIC_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  JWT_ISSUER: Type.String({ default: 'medvault-gateway' }),
  JWT_AUDIENCE: Type.String({ default: 'medvault-api' }),
  /** Requests are accepted only with the gateway's assertion (common/auth/internal.ts). */
  ...GatewayAssertionKeyConfigSchema.properties,
  /** Largest plaintext accepted by POST /v1/files (bytes); past it: 413 and nothing kept. */
  MAX_UPLOAD_BYTES: Type.Integer({ minimum: 1, default: 2 * 1024 * 1024 * 1024 }),
  /** Comma-separated sniffed types accepted (the client's Content-Type is never trusted). */
  ALLOWED_CONTENT_TYPES: Type.String({
    minLength: 1,
    default: 'application/dicom,image/jpeg,image/png,image/tiff,image/webp,application/pdf,text/plain,application/zip',
  }),
  /** HMAC key of download-link tokens; required in production (see loadServiceConfig). */
  LINK_SIGNING_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  LINK_DEFAULT_TTL_SECONDS: ConfigFields.seconds(900),
  LINK_MAX_TTL_SECONDS: ConfigFields.seconds(86_400),
  /** How long a break-glass grant lasts (minutes). */
  EMERGENCY_ACCESS_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 60 }),
  TRASH_RETENTION_DAYS: Type.Integer({ minimum: 1, default: 30 }),
  PURGE_INTERVAL_SECONDS: ConfigFields.seconds(3600),
  OUTBOX_INTERVAL_MS: Type.Integer({ minimum: 50, default: 1000 }),
  /** S3 multipart part size (MiB) and parts in flight: bound the memory of one upload. */
  UPLOAD_PART_SIZE_MIB: Type.Integer({ minimum: 5, maximum: 64, default: 8 }),
  UPLOAD_QUEUE_SIZE: Type.Integer({ minimum: 1, maximum: 8, default: 2 }),
});
export type Config = Static<typeof ConfigSchema>;

/** Dev-only link key: a deployment without LINK_SIGNING_SECRET must not start in production. */
const DEV_LINK_SECRET = 'medvault-dev-only-link-signing-secret-do-not-use';

export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cfg = loadConfig(ConfigSchema, env);
  if (cfg.LINK_SIGNING_SECRET) return cfg;
  if (cfg.NODE_ENV === 'production') {
    throw new Error('Invalid configuration: LINK_SIGNING_SECRET (missing; required in production)');
  }
  return Object.freeze({ ...cfg, LINK_SIGNING_SECRET: DEV_LINK_SECRET });
}

export function allowedContentTypes(cfg: Config): Set<string> {
  return new Set(
    cfg.ALLOWED_CONTENT_TYPES.split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  );
}
