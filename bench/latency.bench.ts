import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CpuUse, localPids, measureCpu, openBusTap } from '@medvault/common/testing';
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
const N_SOLO = Number(process.env.BENCH_PIPELINE_SOLO_FILES ?? 20);
/**
 * When a file became available: the `occurredAt` of its file.available event (stamped by the
 * files service in the write that made it available), pushed to a tap queue on the bus. No
 * status polling: a poll every 250 ms added up to 250 ms to every figure, and its requests
 * competed with the pipeline for the gateway and the files service.
 */
const availableAt = new Map<string, number>();
/**
 * Per-stage times come from the same tap: each event of a file's trail is stamped by its
 * producer, so the gap between two consecutive events is the delivery of the first (outbox →
 * SNS → SQS → receive) plus the work of the service that produced the second.
 */
const TRAIL = ['file.uploaded', 'file.scanned', 'file.clean', 'file.processed', 'file.available'] as const;
const STAGES: [from: (typeof TRAIL)[number], to: (typeof TRAIL)[number], who: string][] = [
  ['file.uploaded', 'file.scanned', 'scanner'],
  ['file.scanned', 'file.clean', 'files'],
  ['file.clean', 'file.processed', 'watermark'],
  ['file.processed', 'file.available', 'files'],
];
const trail = new Map<string, Map<string, number>>();
const tap = await openBusTap([...TRAIL]);
let tapping = true;
const tapLoop = (async () => {
  while (tapping) {
    for (const e of await tap.events()) {
      const id = (e.data as { fileId: string }).fileId;
      const at = Date.parse(e.occurredAt);
      const t = trail.get(id) ?? new Map<string, number>();
      if (!t.has(e.type)) t.set(e.type, at);
      trail.set(id, t);
      if (e.type === 'file.available' && !availableAt.has(id)) availableAt.set(id, at);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
})();

/** Median of each stage over the files of one round (files whose trail the tap saw whole). */
function stageFigures(ids: string[], label: string) {
  return STAGES.flatMap(([from, to, who]) => {
    const gaps = ids
      .map((id) => trail.get(id))
      .filter((t) => t?.has(from) && t.has(to))
      .map((t) => t!.get(to)! - t!.get(from)!)
      .sort((a, b) => a - b);
    if (gaps.length === 0) return [];
    return [figure(`stage p50, ${label}: ${from} → ${to} (delivery + ${who})`, percentile(gaps, 50), 'ms')];
  });
}

/** CPU of the whole local stack during a round: a busy machine explains slow hops, an idle one does not. */
const STACK = ['aws', 'mongo', 'redis', 'clamd', 'gateway', 'files', 'scanner', 'watermark', 'audit', 'notify'];
const stackPids = { ...localPids(join(ROOT, '.local/run'), STACK), bench: process.pid };

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

/**
 * CPU seconds per file of each stack process, 2 workers against 1: where a second worker's cost
 * goes when the cores are already busy ("bench" includes the second scanner and watermark, which
 * it starts).
 */
function perFile(one: CpuUse | undefined, two: CpuUse | undefined) {
  if (!one || !two) return [];
  const total = (u: CpuUse) => Object.values(u.seconds).reduce((a, b) => a + b, 0);
  const rows: [name: string, one: number, two: number][] = [['all stack processes', total(one) / N, total(two) / N]];
  for (const name of Object.keys(two.seconds)) {
    const a = (one.seconds[name] ?? 0) / N;
    const b = (two.seconds[name] ?? 0) / N;
    if (a >= 0.01 || b >= 0.01) rows.push([name === 'aws' ? 'LocalStack' : name, a, b]);
  }
  return rows.map(([name, a, b]) =>
    figure(`CPU per file, 2 workers each, ${name}`, b, 's', { label: '1 worker each', value: a, unit: 's' }),
  );
}

/** One client per worker, as in a clinic: each user stays within the gateway's per-user rate limit. */
async function round(tokens: string[], ids: string[] = [], count = N): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async (token: string) => {
    while (next < count) {
      const i = next++;
      const content = Buffer.alloc(1024 * 1024, `bench ${Date.now()} ${i} `);
      const t0 = Date.now();
      const r = await upload(token, { name: `bench-${i}.txt`, content, type: 'text/plain' });
      if (r.status !== 202) throw new Error(`upload failed: ${r.status} ${JSON.stringify(r.body)}`);
      ids.push(r.body.id);
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
// One file at a time first: the pipeline's own latency, with no other file queued ahead of it.
// The 4-client rounds below keep the 2 cores busy, so their figures add the wait for CPU.
const soloIds: string[] = [];
const solo = await round(tokens.slice(0, 1), soloIds, N_SOLO);
const oneIds: string[] = [];
let cpu = measureCpu(stackPids);
const one = await round(tokens, oneIds);
const oneCpu = cpu();
const extras = [extraInstance('scanner', 18082), extraInstance('watermark', 18083)];
try {
  await Promise.all([waitReady(18082), waitReady(18083)]);
  const twoIds: string[] = [];
  cpu = measureCpu(stackPids);
  const two = await round(tokens, twoIds);
  const twoCpu = cpu();
  const busy = (label: string, u: typeof oneCpu) =>
    u ? [figure(`busy cores (of ${u.cores}), ${label}`, u.busyCores, 'cores')] : [];
  report('upload→available (1 MiB)', [
    figure('p50, one file at a time, 1 worker each', percentile(solo, 50), 'ms'),
    figure('p95, one file at a time, 1 worker each', percentile(solo, 95), 'ms'),
    figure('p50, 4 clients, 1 worker each', percentile(one, 50), 'ms'),
    figure('p95, 4 clients, 1 worker each', percentile(one, 95), 'ms'),
    figure('p50, 4 clients, 2 workers each', percentile(two, 50), 'ms', {
      label: 'p50 with 1 worker',
      value: percentile(one, 50),
      unit: 'ms',
    }),
    figure('p95, 4 clients, 2 workers each', percentile(two, 95), 'ms', {
      label: 'p95 with 1 worker',
      value: percentile(one, 95),
      unit: 'ms',
    }),
    ...stageFigures(soloIds, 'one at a time'),
    ...stageFigures(oneIds, '1 worker'),
    ...stageFigures(twoIds, '2 workers'),
    ...busy('1 worker each', oneCpu),
    ...busy('2 workers each', twoCpu),
    ...perFile(oneCpu, twoCpu),
  ]);
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'upload-available.svg'),
    histogramSvg(`upload → available, files of 1 MiB`, [
      { label: `one at a time (${N_SOLO} files)`, values: solo, color: '#38a169' },
      { label: `4 clients, 1 worker each (${N} files)`, values: one, color: '#2b6cb0' },
      { label: `4 clients, 2 workers each (${N} files)`, values: two, color: '#dd6b20' },
    ]),
  );
  console.log('written: bench/results/upload-available.svg');
} finally {
  for (const p of extras) p.kill('SIGTERM');
  tapping = false;
  await tapLoop.catch(() => undefined);
  await tap.close();
}
