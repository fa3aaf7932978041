import { AwsConfigSchema, ConfigFields, GatewayAssertionKeyConfigSchema, loadConfig } from '@medvault/common/config';
import { type Static, Type } from '@sinclair/typebox';

/** Everything the watermark service reads from its environment, validated once at start. */
export const ConfigSchema = Type.Object({
  ...AwsConfigSchema.properties,
  WATERMARK_PORT: ConfigFields.port(8083),
  HOST: Type.String({ default: '127.0.0.1' }),
  NODE_ENV: ConfigFields.nodeEnv,
  LOG_LEVEL: ConfigFields.logLevel,
  REDIS_URL: ConfigFields.url(),
  EVENTS_TOPIC_ARN: Type.String({ pattern: '^arn:aws:sns:' }),
  QUEUE_URL_BASE: ConfigFields.url(),
  WATERMARK_QUEUE_NAME: Type.String({ default: 'medvault-watermark' }),
  BUCKET_CLEAN: ConfigFields.nonEmpty(),
  /** De-identified copies (issue 17) are written here, to be scanned like uploads. */
  BUCKET_QUARANTINE: ConfigFields.nonEmpty(),
  BUCKET_DERIVATIVES: ConfigFields.nonEmpty(),
  KMS_DATA_KEY_ID: ConfigFields.nonEmpty(),
  /** Shown in the visible watermark: "Owned by <ORGANISATION_NAME>". */
  ORGANISATION_NAME: Type.String({ minLength: 1, maxLength: 80, default: 'MedVault Clinic' }),
  /** Images with more pixels are refused before decoding (decompression bombs). */
  /** DICOM files up to this size are indexed and previewed (parsed in memory); larger: verified only. */
  DICOM_MAX_BYTES: Type.Integer({ minimum: 1024, default: 256 * 1024 * 1024 }),
  WATERMARK_MAX_PIXELS: Type.Integer({ minimum: 1, default: 100_000_000 }),
  JWT_PUBLIC_KEY: Type.Optional(Type.String({ minLength: 1 })),
  JWT_PUBLIC_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  JWT_ISSUER: Type.String({ default: 'medvault-gateway' }),
  JWT_AUDIENCE: Type.String({ default: 'medvault-api' }),
  /** Requests are accepted only with the gateway's assertion (common/auth/internal.ts). */
  ...GatewayAssertionKeyConfigSchema.properties,
});
export type Config = Static<typeof ConfigSchema>;

export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig(ConfigSchema, env);
}
