import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminToken, call, createUser, upload } from '../e2e/support/client.js';
import { figure, percentile, report } from './lib.js';

/**
 * Time from upload (202) to `available` for 1 MiB files through the whole pipeline (gateway →
 * files → scanner → files → watermark → files), first with the running single scanner and
 * watermark, then with a second instance of each on the same queues. Bounded: N files per round.
 */
const ROOT = join(import.meta.dirname, '..');
const N = Number(process.env.BENCH_PIPELINE_FILES ?? 50);
const CONCURRENCY = 4;
// 4 polls/s per client + its uploads stay under RATE_LIMIT_MAX (600/min per user).
const POLL_MS = 250;

function extraInstance(service: 'scanner' | 'watermark', port: number): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, [`${service.toUpperCase()}_PORT`]: String(port), LOG_LEVEL: 'warn' };
  for (const line of readFileSync(join(ROOT, '.local/state/credentials', `${service}.env`), 'utf8').split('\n')) {
    const [k, ...v] = line.split('=');
    if (k && v.length) env[k.trim()] = v.join('=').trim();
  }
  const out = openSync(join(ROOT, '.local/logs', `${service}-bench-2.log`), 'a');
  return spawn(process.execPath, ['--conditions=source', '--import', 'tsx', `services/${service}/src/main.ts`], {
    cwd: ROOT,
    env,
    stdio: ['ignore', out, out],
  });
}

async function waitReady(port: number) {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health/ready`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`instance on ${port} never became ready`);
}

/** One client per worker, as in a clinic: each user stays within the gateway's per-user rate limit. */
async function round(tokens: string[]): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async (token: string) => {
    while (next < N) {
      const i = next++;
      const content = Buffer.alloc(1024 * 1024, `bench ${Date.now()} ${i} `);
      const t0 = performance.now();
      const r = await upload(token, { name: `bench-${i}.txt`, content, type: 'text/plain' });
      if (r.status !== 202) throw new Error(`upload failed: ${r.status} ${JSON.stringify(r.body)}`);
      for (;;) {
        const s = await call('GET', `/v1/files/${r.body.id}`, { token });
        if (s.body.status === 'available') break;
        if (['infected', 'scan_failed'].includes(s.body.status)) throw new Error(`file ended ${s.body.status}`);
        await new Promise((res) => setTimeout(res, POLL_MS));
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(tokens.map((t) => worker(t)));
  return latencies.sort((a, b) => a - b);
}

const admin = await adminToken();
const patients = await Promise.all(
  Array.from({ length: CONCURRENCY }, (_, i) => createUser(admin, 'patient', `Bench Patient ${i + 1}`)),
);
const tokens = patients.map((p) => p.token);
const one = await round(tokens);
const extras = [extraInstance('scanner', 18082), extraInstance('watermark', 18083)];
try {
  await Promise.all([waitReady(18082), waitReady(18083)]);
  const two = await round(tokens);
  report('upload→available (1 MiB)', [
    figure('p50, 1 worker each', percentile(one, 50), 'ms'),
    figure('p95, 1 worker each', percentile(one, 95), 'ms'),
    figure('p50, 2 workers each', percentile(two, 50), 'ms', {
      label: 'p50 with 1 worker',
      value: percentile(one, 50),
      unit: 'ms',
    }),
    figure('p95, 2 workers each', percentile(two, 95), 'ms', {
      label: 'p95 with 1 worker',
      value: percentile(one, 95),
      unit: 'ms',
    }),
  ]);
} finally {
  for (const p of extras) p.kill('SIGTERM');
}
