import { type Static, Type } from '@sinclair/typebox';
import { AwsConfigSchema, ConfigFields, loadConfig } from '@medvault/common/config';

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
});
export type Config = Static<typeof ConfigSchema>;

export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig(ConfigSchema, env);
}
