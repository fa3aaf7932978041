import { ConfigFields, internalServiceConfigSchema, loadConfig } from '@medvault/common/config';
import { type Static, Type } from '@sinclair/typebox';

/** Everything the watermark service reads from its environment, validated once at start. */
export const ConfigSchema = Type.Object({
  ...internalServiceConfigSchema({
    port: ['WATERMARK_PORT', 8083],
    queue: ['WATERMARK_QUEUE_NAME', 'medvault-watermark'],
    publishes: true,
  }).properties,
  BUCKET_CLEAN: ConfigFields.nonEmpty(),
  /** De-identified copies (issue 17) are written here, to be scanned like uploads. */
  BUCKET_QUARANTINE: ConfigFields.nonEmpty(),
  BUCKET_DERIVATIVES: ConfigFields.nonEmpty(),
  KMS_DATA_KEY_ID: ConfigFields.nonEmpty(),
  /** Shown in the visible watermark: "Owned by <ORGANISATION_NAME>". */
  ORGANISATION_NAME: Type.String({ minLength: 1, maxLength: 80, default: 'MedVault Clinic' }),
  /** DICOM files up to this size are indexed and previewed (parsed in memory); larger: verified only. */
  DICOM_MAX_BYTES: Type.Integer({ minimum: 1024, default: 256 * 1024 * 1024 }),
  /** Images with more pixels are refused before decoding (decompression bombs). */
  WATERMARK_MAX_PIXELS: Type.Integer({ minimum: 1, default: 100_000_000 }),
});
export type Config = Static<typeof ConfigSchema>;

export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig(ConfigSchema, env);
}
