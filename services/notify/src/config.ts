import { ConfigError, ConfigFields, internalServiceConfigSchema, loadConfig } from '@medvault/common/config';
import { type Static, Type } from '@sinclair/typebox';
import { parseAllowList } from './domain/address-policy.js';

/** Everything the notify service reads from its environment, validated once at start. */
export const ConfigSchema = Type.Object({
  ...internalServiceConfigSchema({
    port: ['NOTIFY_PORT', 8085],
    queue: ['NOTIFY_QUEUE_NAME', 'medvault-notify'],
    database: 'medvault_notify',
  }).properties,
  /** Public base URL used in links inside notifications (the gateway). */
  PUBLIC_BASE_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:8080' }),
  SMTP_HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  SMTP_PORT: ConfigFields.port(1025),
  /** true: TLS from the first byte (port 465); false: plain, upgraded with STARTTLS when offered. */
  SMTP_SECURE: Type.Boolean({ default: false }),
  SMTP_FROM: Type.String({ minLength: 3, default: 'MedVault <no-reply@medvault.local>' }),
  SMTP_USER: Type.Optional(Type.String({ minLength: 1 })),
  SMTP_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  /** Redis pub/sub channel fanning live notifications out to every notify instance. */
  LIVE_CHANNEL: Type.String({ minLength: 1, default: 'medvault:notify:live' }),
  SSE_HEARTBEAT_SECONDS: ConfigFields.seconds(15),
  /** Most notifications replayed to a stream resuming with Last-Event-ID. */
  SSE_REPLAY_LIMIT: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
  WEBHOOK_POLL_MS: Type.Integer({ minimum: 50, default: 1000 }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5000 }),
  WEBHOOK_BACKOFF_BASE_MS: Type.Integer({ minimum: 10, default: 5000 }),
  WEBHOOK_BACKOFF_MAX_MS: Type.Integer({ minimum: 10, default: 3_600_000 }),
  /** Attempts per delivery before it is marked failed. */
  WEBHOOK_MAX_ATTEMPTS: Type.Integer({ minimum: 1, default: 10 }),
  /** Consecutive failed attempts (any delivery) after which a webhook is disabled. */
  WEBHOOK_DISABLE_AFTER: Type.Integer({ minimum: 1, default: 20 }),
  /**
   * Development/test only: comma-separated IPs or CIDRs that webhooks may reach although internal
   * (e.g. a receiver on 127.0.0.1), and the only targets plain http is allowed to. Empty (the
   * default) in every real deployment. Configuration only: no API can change it.
   */
  WEBHOOK_ALLOW_PRIVATE_HOSTS: Type.String({ default: '' }),
});
export type Config = Static<typeof ConfigSchema>;

export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config = loadConfig(ConfigSchema, env);
  const problems: { key: string; message: string }[] = [];
  if (config.NODE_ENV === 'production' && config.WEBHOOK_ALLOW_PRIVATE_HOSTS.trim() !== '')
    problems.push({ key: 'WEBHOOK_ALLOW_PRIVATE_HOSTS', message: 'must be empty in production (SSRF)' });
  try {
    parseAllowList(config.WEBHOOK_ALLOW_PRIVATE_HOSTS);
  } catch (err) {
    problems.push({ key: 'WEBHOOK_ALLOW_PRIVATE_HOSTS', message: (err as Error).message });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
