import { ConfigFields, internalServiceConfigSchema, loadConfig, mongoConfigSchema } from '@medvault/common/config';
import { type Static, Type } from '@sinclair/typebox';

/** Everything the audit service reads from its environment, validated once at start. */
export const ConfigSchema = Type.Object({
  ...internalServiceConfigSchema({
    port: ['AUDIT_PORT', 8086],
    queue: ['AUDIT_QUEUE_NAME', 'medvault-audit'],
    database: 'medvault_audit',
  }).properties,
  BUCKET_AUDIT: ConfigFields.nonEmpty(),
  KMS_AUDIT_SIGNING_KEY_ID: ConfigFields.nonEmpty(),
  /** Seal a segment (S3 object + signed digest) once this many records are unsealed, at most this many per segment... */
  CHECKPOINT_EVERY: Type.Integer({ minimum: 1, default: 10000 }),
  /** ...or once this many seconds passed since the last digest with at least one unsealed record. */
  CHECKPOINT_INTERVAL_SECONDS: ConfigFields.seconds(60),
  /** How often the sealer looks at the chain head (also kicked when a full segment is waiting). */
  CHECKPOINT_TICK_SECONDS: ConfigFields.seconds(5),
  /** Key prefix of this chain's objects in BUCKET_AUDIT: legacy checkpoints, `segments/`, `digests/` (tests use their own). */
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
