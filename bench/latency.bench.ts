import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openBusTap } from '@medvault/common/testing';
import { adminToken, createUser, upload } from '../e2e/support/client.js';
import { histogramSvg } from './histogram.js';
import { figure, percentile, report } from './lib.js';

/**
 * Time from upload (202) to `available` for 1 MiB files through the whole pipeline (gateway →
 * files → scanner → files → watermark → files), first with the running single scanner and
 * watermark, then with a second instance of each on the same queues. Bounded: N files per round.
 */
const ROOT = join(import.meta.dirname, '..');
const N = Number(process.env.BENCH_PIPELINE_FILES ?? 50);
const CONCURRENCY = 4;
/**
 * When a file became available: the `occurredAt` of its file.available event (stamped by the
 * files service in the write that made it available), pushed to a tap queue on the bus. No
 * status polling: a poll every 250 ms added up to 250 ms to every figure, and its requests
 * competed with the pipeline for the gateway and the files service.
 */
const availableAt = new Map<string, number>();
const tap = await openBusTap(['file.available']);
let tapping = true;
const tapLoop = (async () => {
  while (tapping) {
    for (const e of await tap.events()) {
      const id = (e.data as { fileId: string }).fileId;
      if (!availableAt.has(id)) availableAt.set(id, Date.parse(e.occurredAt));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
})();

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
      const t0 = Date.now();
      const r = await upload(token, { name: `bench-${i}.txt`, content, type: 'text/plain' });
      if (r.status !== 202) throw new Error(`upload failed: ${r.status} ${JSON.stringify(r.body)}`);
      const deadline = Date.now() + 120_000;
      while (!availableAt.has(r.body.id)) {
        if (Date.now() > deadline) throw new Error(`file ${r.body.id} not available within 120 s`);
        await new Promise((res) => setTimeout(res, 20));
      }
      latencies.push(availableAt.get(r.body.id)! - t0);
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
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'upload-available.svg'),
    histogramSvg(`upload → available, ${N} files of 1 MiB (4 clients)`, [
      { label: '1 worker each', values: one, color: '#2b6cb0' },
      { label: '2 workers each', values: two, color: '#dd6b20' },
    ]),
  );
  console.log('written: bench/results/upload-available.svg');
} finally {
  for (const p of extras) p.kill('SIGTERM');
  tapping = false;
  await tapLoop.catch(() => undefined);
  await tap.close();
}
