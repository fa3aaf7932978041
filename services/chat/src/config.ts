import { ConfigFields, internalServiceConfigSchema, loadConfig } from '@medvault/common/config';
import { type Static, Type } from '@sinclair/typebox';

/** Everything the chat service reads from its environment, validated once at start. */
export const ConfigSchema = Type.Object({
  /** Its queue delivers user.* and care.* for the membership projections. */
  ...internalServiceConfigSchema({
    port: ['CHAT_PORT', 8087],
    queue: ['CHAT_QUEUE_NAME', 'medvault-chat'],
    database: 'medvault_chat',
    publishes: true,
  }).properties,
  KMS_DATA_KEY_ID: ConfigFields.nonEmpty(),
  /** Where the files API is reached as the sender (attachments): the gateway, never files directly. */
  GATEWAY_URL: ConfigFields.url(),
  CHAT_MAX_TEXT_LENGTH: Type.Integer({ minimum: 1, maximum: 20_000, default: 4000 }),
  CHAT_MAX_ATTACHMENTS: Type.Integer({ minimum: 0, maximum: 20, default: 5 }),
  /** How long after sending its sender may edit or delete a message. */
  CHAT_EDIT_WINDOW_SECONDS: Type.Integer({ minimum: 0, default: 900 }),
  /** What a profanity or threat match does: `reject` (422 MESSAGE_REJECTED) or `flag` (delivered, held for review). */
  CHAT_PROFANITY_ACTION: Type.Union([Type.Literal('reject'), Type.Literal('flag')], { default: 'reject' }),
  /** Messages per user per window, across instances. */
  CHAT_RATE_LIMIT_MESSAGES: Type.Integer({ minimum: 1, default: 30 }),
  CHAT_RATE_LIMIT_WINDOW_SECONDS: ConfigFields.seconds(60),
  /** Messages older than this are purged (text and record); 0 keeps them for ever. */
  CHAT_RETENTION_DAYS: Type.Integer({ minimum: 0, default: 2555 }),
  CHAT_PURGE_INTERVAL_SECONDS: ConfigFields.seconds(3600),
  /** Redis pub/sub channel fanning live frames out to every chat instance. */
  CHAT_LIVE_CHANNEL: Type.String({ minLength: 1, default: 'medvault:chat:live' }),
  SSE_HEARTBEAT_SECONDS: ConfigFields.seconds(15),
  /** Most messages replayed to a stream that reconnects with Last-Event-ID (older ones: page the history). */
  SSE_REPLAY_LIMIT: Type.Integer({ minimum: 1, maximum: 5000, default: 200 }),
});
export type Config = Static<typeof ConfigSchema>;

export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig(ConfigSchema, env);
}
