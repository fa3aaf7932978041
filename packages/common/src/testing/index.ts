import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvFile } from '../config/env-file.js';
import { repoRoot } from './paths.js';

export { benchResult, type Figure, figure, percentile, type RawFigure, report, round, rssMiB } from './bench.js';
export { type BusTap, openBusTap, openPrivateTopic, openTopicQueue, type TopicQueue } from './bus-tap.js';
export { type ChildServer, startChildServer } from './child-server.js';
export { type CpuUse, localPids, measureCpu, type QuietOptions, untilQuiet } from './cpu.js';
export {
  gatewayHeaders,
  localAssertionKeyPem,
  mintGatewayAssertion,
  TEST_CLIENT_IP,
  type TestAssertionOptions,
  viaGateway,
} from './gateway.js';
export { repoRoot } from './paths.js';
export { recordSdkCalls, type SdkCall } from './sdk-calls.js';
export { type SseEvent, sseClient } from './sse.js';
export { localPrivateKeyPem, localPublicKeyPem, mintTestToken, type TestTokenOptions } from './tokens.js';

export type ServiceName =
  | 'gateway'
  | 'files'
  | 'scanner'
  | 'watermark'
  | 'appointments'
  | 'notify'
  | 'audit'
  | 'chat'
  | 'provisioner';

/** The IAM credentials provisioning minted for one service (least privilege in tests too). */
export function credentialsFor(service: ServiceName): {
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
} {
  const file = join(repoRoot, '.local/state/credentials', `${service}.env`);
  let values: Record<string, string>;
  try {
    values = parseEnvFile(readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`No credentials for ${service} at ${file}: run 'npm run stack up' (it provisions) first`);
  }
  return {
    AWS_ACCESS_KEY_ID: values.AWS_ACCESS_KEY_ID ?? '',
    AWS_SECRET_ACCESS_KEY: values.AWS_SECRET_ACCESS_KEY ?? '',
  };
}

/** process.env (local.env already loaded by the test setup) plus the service's credentials. */
export function serviceEnv(service: ServiceName, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...credentialsFor(service), ...extra };
}

/** Polls `fn` until it returns a value other than undefined/false, or fails naming `what`. */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 20_000, intervalMs = 200 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() > deadline) {
      const why = lastErr instanceof Error ? `: last error ${lastErr.message}` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A name unique to this test run, for queues, collections and users. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
