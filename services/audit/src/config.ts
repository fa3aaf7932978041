import { AwsConfigSchema, ConfigFields, GatewayAssertionKeyConfigSchema, loadConfig } from '@medvault/common/config';
import { type Static, Type } from '@sinclair/typebox';

/** Everything the audit service reads from its environment, validated once at start. */
export const ConfigSchema = Type.Object({
  ...AwsConfigSchema.properties,
  AUDIT_PORT: ConfigFields.port(8086),
  HOST: Type.String({ default: '127.0.0.1' }),
  NODE_ENV: ConfigFields.nodeEnv,
  LOG_LEVEL: ConfigFields.logLevel,
  MONGO_URL: ConfigFields.url(),
  /** Each service owns its database; tests point this at a scratch one. */
  MONGO_DB: Type.String({ minLength: 1, default: 'medvault_audit' }),
  REDIS_URL: ConfigFields.url(),
  QUEUE_URL_BASE: ConfigFields.url(),
  AUDIT_QUEUE_NAME: Type.String({ default: 'medvault-audit' }),
  BUCKET_AUDIT: ConfigFields.nonEmpty(),
  KMS_AUDIT_SIGNING_KEY_ID: ConfigFields.nonEmpty(),
  JWT_PUBLIC_KEY: Type.Optional(Type.String({ minLength: 1 })),
  JWT_PUBLIC_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  JWT_ISSUER: Type.String({ default: 'medvault-gateway' }),
  JWT_AUDIENCE: Type.String({ default: 'medvault-api' }),
  /** Requests are accepted only with the gateway's assertion (common/auth/internal.ts). */
  ...GatewayAssertionKeyConfigSchema.properties,
  /** Sign a checkpoint once this many records accumulated... */
  CHECKPOINT_EVERY: Type.Integer({ minimum: 1, default: 1000 }),
  /** ...or once this many seconds passed with at least one new record. */
  CHECKPOINT_INTERVAL_SECONDS: ConfigFields.seconds(60),
  /** How often the checkpoint worker looks at the chain head. */
  CHECKPOINT_TICK_SECONDS: ConfigFields.seconds(5),
  /** Key prefix of checkpoint objects in BUCKET_AUDIT (one chain per prefix; tests use their own). */
  AUDIT_CHECKPOINT_PREFIX: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9._/-]+/$', default: 'checkpoints/' }),
  /** Records are kept at least this long (HIPAA: 6 years); nothing expires earlier. */
  AUDIT_RETENTION_DAYS: Type.Integer({ minimum: 2190, default: 2190 }),
  /** Records appended per ordered insert (throughput vs. latency). */
  AUDIT_APPEND_BATCH: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
});
export type Config = Static<typeof ConfigSchema>;

export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig(ConfigSchema, env);
}
