import { type Static, Type } from '@sinclair/typebox';
import { AwsConfigSchema, ConfigFields, loadConfig } from '@medvault/common/config';

/** Everything the scanner service reads from its environment, validated once at start. */
export const ConfigSchema = Type.Object({
  ...AwsConfigSchema.properties,
  SCANNER_PORT: ConfigFields.port(8082),
  HOST: Type.String({ default: '127.0.0.1' }),
  NODE_ENV: ConfigFields.nodeEnv,
  LOG_LEVEL: ConfigFields.logLevel,
  MONGO_URL: ConfigFields.url(),
  /** Each service owns its database; tests point this at a scratch one. */
  MONGO_DB: Type.String({ minLength: 1, default: 'medvault_scanner' }),
  REDIS_URL: ConfigFields.url(),
  EVENTS_TOPIC_ARN: Type.String({ pattern: '^arn:aws:sns:' }),
  QUEUE_URL_BASE: ConfigFields.url(),
  SCANNER_QUEUE_NAME: Type.String({ default: 'medvault-scanner' }),
  BUCKET_QUARANTINE: ConfigFields.nonEmpty(),
  KMS_DATA_KEY_ID: ConfigFields.nonEmpty(),
  JWT_PUBLIC_KEY: Type.Optional(Type.String({ minLength: 1 })),
  JWT_PUBLIC_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  JWT_ISSUER: Type.String({ default: 'medvault-gateway' }),
  JWT_AUDIENCE: Type.String({ default: 'medvault-api' }),
});
export type Config = Static<typeof ConfigSchema>;

export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig(ConfigSchema, env);
}
