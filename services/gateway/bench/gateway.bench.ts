/**
 * Benchmark (not a test): authenticated small GETs through the gateway vs. direct to an upstream
 * service in the same run, on loopback, bounded in count and time. Prints requests/s, p50/p99 and
 * the gateway/direct ratio.
 *
 *   node --conditions=source --import tsx services/gateway/bench/gateway.bench.ts
 *   BENCH_REQUESTS=3000 BENCH_CONCURRENCY=16 BENCH_PUBLISH=1 ... (publish access-audit events for real)
 *
 * The upstream verifies the token itself (same tokenVerifier as every internal service), so the
 * difference is what the gateway adds: its own verification, revocation and rate-limit look-ups in
 * Redis, the proxy hop and access-audit bookkeeping. By default audit events go to a counting sink
 * instead of SNS, so a benchmark never floods the shared audit queue.
 *
 * The upstream, the gateway and the client (this process) each run in a process of their own, as
 * deployed: in one process the three shared one event loop and one core, which capped the ratio
 * near 0.5 whatever the gateway did. CPU seconds per 1 000 requests of each process are printed.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { RedisRevocationStore, tokenVerifier } from '@medvault/common/auth';
import type { EventPublisher } from '@medvault/common/bus';
import { createRedis } from '@medvault/common/clients';
import { loadEnvFile } from '@medvault/common/config';
import {
  figure,
  localPids,
  measureCpu,
  mintTestToken,
  repoRoot,
  report,
  serviceEnv,
  startChildServer,
  untilQuiet,
} from '@medvault/common/testing';
import Fastify from 'fastify';
import { BackgroundPublisher } from '../src/adapters/outbox.js';
import { buildApp } from '../src/app.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps } from '../src/deps.js';

loadEnvFile(`${repoRoot}/infra/env/local.env`);
process.chdir(repoRoot); // key file paths in local.env are relative to the repository
const N = Math.min(Number(process.env.BENCH_REQUESTS ?? 2000), 20_000);
const C = Math.min(Number(process.env.BENCH_CONCURRENCY ?? 16), 128);
const MAX_MS = Math.min(Number(process.env.BENCH_MAX_SECONDS ?? 5), 30) * 1000;

async function startUpstream() {
  // As every service's command connection (platform.redis()): auto-pipelined.
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'bench-upstream', {
    autoPipelining: true,
  });
  const app = Fastify();
  await app.register(tokenVerifier, {
    publicKey: (await import('@medvault/common/testing')).localPublicKeyPem(),
    issuer: process.env.JWT_ISSUER ?? 'medvault-gateway',
    audience: process.env.JWT_AUDIENCE ?? 'medvault-api',
    revocation: new RedisRevocationStore(redis),
  });
  app.get('/v1/files/:id', { onRequest: app.authenticate }, async (req) => ({
    id: (req.params as { id: string }).id,
    status: 'available',
    size: 42,
  }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`,
    close: async () => {
      await app.close();
      redis.disconnect();
    },
  };
}

interface Result {
  count: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

async function load(base: string, path: string, token: string): Promise<Result> {
  const { hostname, port } = new URL(base);
  const agent = new Agent({ keepAlive: true, maxSockets: C });
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const start = performance.now();
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = request(
        { host: hostname, port, path, agent, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) errors++;
            latencies.push(performance.now() - t0);
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  const worker = async () => {
    while (issued < N && performance.now() - start < MAX_MS) {
      issued++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: C }, worker));
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { count: latencies.length, errors, seconds, rps: latencies.length / seconds, p50: pct(50), p99: pct(99) };
}

/** The gateway in front of `filesUrl`, as a process of its own (role `gateway`). */
async function startGateway(filesUrl: string) {
  const deps = await buildDeps(
    loadServiceConfig(
      serviceEnv('gateway', {
        LOG_LEVEL: 'warn',
        FILES_URL: filesUrl,
        RATE_LIMIT_MAX: '1000000',
        ...(process.env.BENCH_NO_RL ? { RATE_LIMIT_ENABLED: 'false' } : {}),
      }),
    ),
  );
  if (process.env.BENCH_PUBLISH !== '1') {
    const counting: EventPublisher = { publish: async () => undefined };
    deps.events = new BackgroundPublisher(counting, deps.logger, { maxQueue: 100_000 });
  }
  // BENCH_NO_TOKEN_CACHE=1: every request verified in full (the figure before the token cache).
  if (process.env.BENCH_NO_TOKEN_CACHE === '1') delete deps.tokenAuth.cache;
  const app = await buildApp(deps);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`,
    close: async () => {
      await app.close();
      await deps.events.flush();
      await deps.close();
    },
  };
}

/** Runs this file again as `role` in a child process; resolves with its URL and pid once it listens. */
async function child(role: 'upstream' | 'gateway', env: NodeJS.ProcessEnv = process.env) {
  // Profiling aid: BENCH_GATEWAY_PROFILE=<dir> writes the gateway process's CPU profile there.
  const dir = role === 'gateway' ? process.env.BENCH_GATEWAY_PROFILE : undefined;
  const prof = dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
  const server = await startChildServer(
    [...prof, ...process.execArgv, import.meta.filename, '--role', role],
    env,
    role,
  );
  return { ...server, url: server.address };
}

/** A child: builds its server, says where it listens, closes on SIGTERM. */
async function serve(role: string) {
  const server = role === 'upstream' ? await startUpstream() : await startGateway(process.env.BENCH_FILES_URL!);
  console.log(`LISTENING ${server.url}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.stdin.on('end', stop).resume(); // the benchmark went away
}

async function main() {
  const upstream = await child('upstream');
  const gw = await child('gateway', { ...process.env, BENCH_FILES_URL: upstream.url }).catch(async (err) => {
    await upstream.stop();
    throw err;
  });
  const token = mintTestToken({ sub: 'usr_01JD0000000000000000BENCH', role: 'patient', sid: 'ses_bench' });
  const path = '/v1/files/fil_01JD0000000000000000000000';
  const perK = (u: ReturnType<ReturnType<typeof measureCpu>>, name: string, r: Result) =>
    u && r.count ? ((u.seconds[name] ?? 0) * 1000) / r.count : 0;
  try {
    const redisPid = localPids(`${repoRoot}/.local/run`, ['redis']);
    const pids = { upstream: upstream.pid, gateway: gw.pid, client: process.pid, ...redisPid };
    await load(upstream.url, path, token); // warm-up both paths (JIT, pools)
    await load(gw.url, path, token);
    await untilQuiet();
    let cpu = measureCpu(pids);
    const direct = await load(upstream.url, path, token);
    const directCpu = cpu();
    await untilQuiet();
    cpu = measureCpu(pids);
    const via = await load(gw.url, path, token);
    const viaCpu = cpu();
    const row = (name: string, r: Result) =>
      `${name.padEnd(8)} ${String(r.count).padStart(6)} req ${String(r.errors).padStart(4)} err ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms`;
    console.log(`authenticated GET ${path}, concurrency ${C}, up to ${N} requests or ${MAX_MS / 1000} s per target`);
    console.log(row('direct', direct));
    console.log(row('gateway', via));
    console.log(
      `gateway/direct throughput ratio ${(via.rps / direct.rps).toFixed(2)}  p99 overhead ${(via.p99 - direct.p99).toFixed(2)} ms`,
    );
    const note = `concurrency ${C}; upstream, gateway and client in processes of their own`;
    const cpuRows = ['gateway', 'upstream', 'client', ...Object.keys(redisPid)].map((n) =>
      figure(
        `CPU per 1000 requests via gateway, ${n}`,
        perK(viaCpu, n, via),
        's',
        n === 'gateway' ? undefined : { label: 'direct', value: perK(directCpu, n, direct), unit: 's' },
      ),
    );
    report('gateway: authenticated small GET', [
      figure(
        'throughput via gateway',
        via.rps,
        'req/s',
        { label: 'direct to service', value: direct.rps, unit: 'req/s' },
        note,
      ),
      figure('p99 latency via gateway', via.p99, 'ms', { label: 'direct to service', value: direct.p99, unit: 'ms' }),
      figure('p50 latency via gateway', via.p50, 'ms', { label: 'direct to service', value: direct.p50, unit: 'ms' }),
      figure('errors via gateway', via.errors, 'requests'),
      ...(viaCpu
        ? [
            figure('busy cores via gateway', viaCpu.busyCores, 'cores', {
              label: 'direct',
              value: directCpu?.busyCores ?? 0,
              unit: 'cores',
            }),
          ]
        : []),
      ...(viaCpu ? cpuRows : []),
    ]);
  } finally {
    await gw.stop();
    await upstream.stop();
  }
}

const role = process.argv.indexOf('--role');
if (role > 0) {
  serve(process.argv[role + 1]!).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
