import { existsSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadEnvFile } from '@medvault/common/config';
import { createEvent } from '@medvault/common/events';
import { type Config, loadServiceConfig } from '../src/config.js';
import { type AuditRecord, draftFromEvent, GENESIS_HASH, seal } from '../src/domain/record.js';

const root = new URL('../../../', import.meta.url);
loadEnvFile(new URL('infra/env/local.env', root));
const creds = new URL('.local/state/credentials/audit.env', root);
if (existsSync(creds)) loadEnvFile(creds);
const jwt = new URL('.local/state/jwt/public.pem', root);
if (existsSync(jwt)) process.env.JWT_PUBLIC_KEY_FILE = jwt.pathname;

export const scratch = `audit_bench_${Date.now().toString(36)}`;
export const rate = (n: number, ms: number) => Math.round((n / Math.max(ms, 1)) * 1000);

export interface Figure {
  metric: string;
  value: number;
  unit: string;
  baseline?: { label: string; value: number; unit: string };
}
export const figures: Figure[] = [];

export function benchConfig(name: string, extra: Record<string, string> = {}): Config {
  return loadServiceConfig({
    ...process.env,
    LOG_LEVEL: 'warn',
    MONGO_DB: `${scratch}_${name}`,
    AUDIT_CHECKPOINT_PREFIX: `bench/${scratch}/${name}/`,
    ...extra,
  });
}

/** A gateway access event, as most of the log is made of. */
export function event(i: number) {
  return createEvent(
    'request.completed',
    {
      method: 'GET',
      route: '/v1/files/:id',
      status: 200,
      durationMs: Math.abs(i) % 100,
      resourceType: 'file',
      resourceId: `fil_${i}`,
      patientId: `usr_p${i % 1000}`,
    },
    {
      correlationId: `req_${i}`,
      source: 'gateway',
      actor: { userId: `usr_c${i % 200}`, role: 'clinician', ip: '10.0.0.1', userAgent: 'bench' },
    },
  );
}

/** The chain 1..n generated in order, on demand (a million records never sit in memory at once). */
export class ChainGenerator {
  private prevHash = GENESIS_HASH;
  private next = 1;
  private readonly when = new Date();

  take(from: number, to: number): AuditRecord[] {
    if (from !== this.next) throw new Error(`generator is at ${this.next}, asked for ${from}`);
    const out: AuditRecord[] = [];
    for (let i = from; i <= to; i++) {
      const r = seal(draftFromEvent(event(i)), i, this.prevHash, this.when);
      this.prevHash = r.hash;
      out.push(r);
    }
    this.next = to + 1;
    return out;
  }

  get head() {
    return { seq: this.next - 1, hash: this.prevHash };
  }
}

/** CPU time of the process (user + system) in ms: on a shared machine wall time also counts others' load. */
export function cpuMs(since?: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

/**
 * Runs `fn` under the V8 CPU profiler when AUDIT_BENCH_PROFILE_DIR is set (a profile of that one
 * stage, without the data generation around it), writing <dir>/<name>.cpuprofile.
 */
export async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.AUDIT_BENCH_PROFILE_DIR;
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(`${dir}/${name}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
  }
}
