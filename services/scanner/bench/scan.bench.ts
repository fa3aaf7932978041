// Scan throughput benchmark (not a test): the service's scan path vs. clamdscan on the same files.
//   npm run bench -w @medvault/scanner            (stack up; env from infra/env/local.env)
//   BENCH_FILES=8 BENCH_FILE_MB=4 BENCH_LATENCY_FILES=20 npm run bench -w @medvault/scanner
// Prints MB/s for: (1) service path = S3 GET + envelope decrypt (KMS) + INSTREAM, as scanFile does;
// (2) raw INSTREAM from memory (the clamd cost alone); (3) `clamdscan --stream` on the same
// plaintext files on disk. Then upload→verdict latency (publish file.uploaded → file.scanned on the
// bus) for 1 MiB files with 1 and 2 scanner instances: p50/p95. Bounded by the sizes above.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { loadEnvFile } from '@medvault/common/config';
import {
  benchResult,
  type CpuUse,
  localPids,
  measureCpu,
  openBusTap,
  repoRoot,
  serviceEnv,
  unique,
} from '@medvault/common/testing';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps } from '../src/deps.js';
import { clientsAs, seedFile, startConsumer, uploadedEvent } from '../test/support.js';

// Relative paths in local.env (JWT key files) are relative to the repository root.
process.chdir(repoRoot);
loadEnvFile(join(repoRoot, 'infra/env/local.env'));
const run = promisify(execFile);
const FILES = Number(process.env.BENCH_FILES ?? 8);
const FILE_MB = Number(process.env.BENCH_FILE_MB ?? 4);
const LATENCY_FILES = Number(process.env.BENCH_LATENCY_FILES ?? 20);
const CLAMD_CONF = process.env.CLAMD_CONF ?? join(repoRoot, '.local/run/clamd.conf');

const mbps = (bytes: number, ms: number) => (bytes / 1024 / 1024 / (ms / 1000)).toFixed(1);
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

async function main() {
  const db = unique('scanner_bench').replace(/-/g, '_');
  const deps = buildDeps(loadServiceConfig(serviceEnv('scanner', { LOG_LEVEL: 'silent', MONGO_DB: db })));
  const files = clientsAs('files');
  const dir = mkdtempSync(join(tmpdir(), 'scan-bench-'));
  try {
    // Fresh bytes for every leg: clamd keeps the hashes of clean files it scanned (ClamAV's engine
    // cache) and answers a rescan of the same bytes at a quarter of the CPU, so a baseline scanning
    // what the service path just scanned was measured warm against a cold service path.
    const fresh = () => Array.from({ length: FILES }, () => randomBytes(FILE_MB * 1024 * 1024));
    const datas = fresh();
    const total = FILES * FILE_MB * 1024 * 1024;
    console.log(
      `scan throughput: ${FILES} files x ${FILE_MB} MiB (random bytes), clamd ${deps.config.CLAMD_HOST}:${deps.config.CLAMD_PORT}`,
    );
    const seeded = [];
    for (const d of datas) seeded.push(await seedFile(files, d));

    // CPU of the emulator (S3 + KMS), clamd and this process (decrypt; clamdscan children): which
    // one is busy says whether the service path waits for the store, for clamd or for the CPU.
    const pids = { ...localPids(join(repoRoot, '.local/run'), ['aws', 'clamd']), client: process.pid };
    let cpu = measureCpu(pids);
    let t = performance.now();
    for (const f of seeded) {
      const report = await deps.scanner.scan(await deps.opener.open(f), deps.config.SCAN_MAX_BYTES);
      if (report.replies.join() !== 'stream: OK') throw new Error(`unexpected replies ${report.replies.join()}`);
    }
    const service = performance.now() - t;
    const serviceCpu = cpu();

    const rawData = fresh();
    t = performance.now();
    for (const d of rawData) await deps.clamd.scanStream(Readable.from([d]), deps.config.SCAN_MAX_BYTES);
    const raw = performance.now() - t;

    let cli: number | undefined;
    let cliCpu: CpuUse | undefined;
    if (existsSync(CLAMD_CONF)) {
      const paths = fresh().map((d, i) => {
        const p = join(dir, `f${i}.bin`);
        writeFileSync(p, d);
        return p;
      });
      cpu = measureCpu(pids);
      t = performance.now();
      for (const p of paths) await run('clamdscan', ['--stream', '--no-summary', '-c', CLAMD_CONF, p]);
      cli = performance.now() - t;
      cliCpu = cpu();
    }
    console.log(`  service path (S3 + decrypt + INSTREAM): ${mbps(total, service)} MB/s (${service.toFixed(0)} ms)`);
    console.log(`  raw INSTREAM from memory:               ${mbps(total, raw)} MB/s (${raw.toFixed(0)} ms)`);
    console.log(
      cli === undefined
        ? `  clamdscan --stream: skipped (no ${CLAMD_CONF})`
        : `  clamdscan --stream (disk, one process per file): ${mbps(total, cli)} MB/s (${cli.toFixed(0)} ms)`,
    );

    benchResult('scanner: scan throughput', [
      {
        metric: 'service path (S3 + decrypt + INSTREAM)',
        value: Number(mbps(total, service)),
        unit: 'MB/s',
        baseline:
          cli === undefined
            ? { label: 'raw INSTREAM from memory', value: Number(mbps(total, raw)), unit: 'MB/s' }
            : { label: 'clamdscan --stream', value: Number(mbps(total, cli)), unit: 'MB/s' },
      },
      ...cpuPerGiB(serviceCpu, cliCpu, total),
    ]);
    if (LATENCY_FILES > 0) await latency(deps, files, db);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await deps.db.dropDatabase().catch(() => undefined);
    files.close();
    await deps.close();
  }
}

/** CPU seconds per GiB scanned of each process, the service path against clamdscan's. */
function cpuPerGiB(svc: CpuUse | undefined, cli: CpuUse | undefined, bytes: number) {
  if (!svc) return [];
  const per = (u: CpuUse, n: string) => ((u.seconds[n] ?? 0) * 1024 ** 3) / bytes;
  return [
    {
      metric: `service path: busy cores (of ${svc.cores})`,
      value: svc.busyCores,
      unit: 'cores',
      ...(cli ? { baseline: { label: 'clamdscan --stream', value: cli.busyCores, unit: 'cores' } } : {}),
    },
    ...Object.keys(svc.seconds).map((n) => ({
      metric: `service path: CPU per GiB, ${n === 'aws' ? 'LocalStack' : n === 'client' ? 'scanner (+ clamdscan runs)' : n}`,
      value: per(svc, n),
      unit: 's',
      ...(cli ? { baseline: { label: 'clamdscan --stream', value: per(cli, n), unit: 's' } } : {}),
    })),
  ];
}

async function depth(d: ReturnType<typeof buildDeps>): Promise<number> {
  const r = await d.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: d.queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(r.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(r.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Waits (bounded) until the running consumers emptied the queue; returns the initial depth. */
async function drain(d: ReturnType<typeof buildDeps>): Promise<number> {
  const initial = await depth(d);
  const deadline = Date.now() + 60_000;
  while ((await depth(d)) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  return initial;
}

/** Publish → file.scanned latency with `workers` scanner instances on the real queue. */
async function latency(base: ReturnType<typeof buildDeps>, files: ReturnType<typeof clientsAs>, db: string) {
  for (const workers of [1, 2]) {
    const instances = Array.from({ length: workers }, () =>
      buildDeps(loadServiceConfig(serviceEnv('scanner', { LOG_LEVEL: 'silent', MONGO_DB: db }))),
    );
    const consumers = instances.map((d) => startConsumer(d));
    const tap = await openBusTap(['file.scanned']);
    try {
      // Other work on the shared queue (e.g. other tests' uploads) would distort the figures: drain first.
      const backlog = await drain(instances[0]!);
      if (backlog > 0) console.log(`  (drained a backlog of ${backlog} foreign message(s) first)`);
      const seeded = [];
      for (let i = 0; i < LATENCY_FILES; i++) seeded.push(await seedFile(files, randomBytes(1024 * 1024)));
      const sentAt = new Map<string, number>();
      const publishStart = performance.now();
      for (const f of seeded) {
        sentAt.set(f.fileId, performance.now());
        await files.publisher.publish(uploadedEvent(f));
      }
      const publishMs = performance.now() - publishStart;
      const seen = new Map<string, number>();
      const deadline = Date.now() + 120_000;
      while (seen.size < seeded.length && Date.now() < deadline) {
        for (const e of await tap.events()) {
          const id = (e.data as { fileId: string }).fileId;
          if (sentAt.has(id) && !seen.has(id)) seen.set(id, performance.now() - (sentAt.get(id) ?? 0));
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const ms = [...seen.values()];
      console.log(
        `upload→verdict, ${LATENCY_FILES} x 1 MiB, ${workers} worker(s): p50 ${pct(ms, 50).toFixed(0)} ms, p95 ${pct(ms, 95).toFixed(0)} ms (${ms.length}/${LATENCY_FILES} seen; publishing all took ${publishMs.toFixed(0)} ms)`,
      );
    } finally {
      await Promise.all(consumers.map((c) => c.stop()));
      await tap.close();
      await Promise.all(instances.map((d) => d.close()));
    }
  }
  void base;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
