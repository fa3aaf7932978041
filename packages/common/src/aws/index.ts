import type { AwsConfig } from '../config/index.js';

/**
 * Options every AWS SDK client is built with: region, the emulator endpoint when one is
 * configured, and the service's own credentials (least privilege: one IAM user per service).
 * Without explicit keys the SDK's default chain applies (IAM roles in production).
 */
export function awsClientConfig(cfg: AwsConfig) {
  return {
    region: cfg.AWS_REGION,
    ...(cfg.AWS_ENDPOINT_URL ? { endpoint: cfg.AWS_ENDPOINT_URL } : {}),
    ...(cfg.AWS_ACCESS_KEY_ID && cfg.AWS_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: cfg.AWS_ACCESS_KEY_ID, secretAccessKey: cfg.AWS_SECRET_ACCESS_KEY } }
      : {}),
    maxAttempts: 3,
    // Without timeouts a stalled endpoint (network partition, paused emulator) hangs a call for
    // ever. requestTimeout is socket inactivity, so long streams are fine; it exceeds the SQS
    // long-poll wait (20 s max).
    requestHandler: { connectionTimeout: 3000, requestTimeout: 30_000 },
  };
}

/** S3 against a local endpoint needs path-style addressing (no bucket DNS names). */
export function s3ClientConfig(cfg: AwsConfig) {
  return { ...awsClientConfig(cfg), forcePathStyle: Boolean(cfg.AWS_ENDPOINT_URL) };
}

/** Queue URL of a service's queue, from the configured base (or a full URL passed through). */
export function queueUrl(base: string, name: string): string {
  return /^https?:\/\/.+\/.+\/.+/.test(name) ? name : `${base.replace(/\/$/, '')}/${name}`;
}

export { type FetchRange, type ReadAheadOptions, readAhead } from './read-ahead.js';
