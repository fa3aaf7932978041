/**
 * Files service benchmark (not a test): upload/download throughput through the files service
 * over real HTTP versus a raw SDK multipart PUT / GET of the same bytes to the same emulator in
 * the same run, and the peak RSS of the process during the upload.
 *
 *   node --conditions=source --import tsx services/files/bench/files.bench.ts [--mib 1024] [--via http://127.0.0.1:8080]
 *
 * Without --via the service runs in a child process of its own (serve.ts: built and listening,
 * no consumers; the RSS figures are that process's), and this process is the client (it only
 * generates and hashes, it keeps nothing). Every leg starts on a quiet machine. With --via (e.g. the gateway) it
 * measures that deployment; the file must then be made available by the running pipeline, so
 * the download leg waits for status `available` (scanner + watermark running), up to 5 min.
 */

import { createCipheriv, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { s3ClientConfig } from '@medvault/common/aws';
import { loadEnvFile } from '@medvault/common/config';
import { createEvent } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import {
  benchResult,
  type CpuUse,
  credentialsFor,
  gatewayHeaders,
  localPids,
  measureCpu,
  mintTestToken,
  repoRoot,
  serviceEnv,
  startChildServer,
  untilQuiet,
} from '@medvault/common/testing';

loadEnvFile(join(repoRoot, 'infra/env/local.env'));
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const MiB = 1024 * 1024;
const size = Number(arg('mib') ?? 1024) * MiB;
const via = arg('via');

function data(): { stream: () => Readable; sha256: string } {
  const gen = function* () {
    const c = createCipheriv('aes-256-ctr', Buffer.alloc(32, 7), Buffer.alloc(16));
    for (let left = size, first = true; left > 0; first = false) {
      const n = Math.min(MiB, left);
      const out = c.update(Buffer.alloc(n));
      if (first) Buffer.from('%PDF-1.7\n').copy(out);
      left -= n;
      yield out;
    }
  };
  const h = createHash('sha256');
  for (const b of gen()) h.update(b);
  return { stream: () => Readable.from(gen()), sha256: h.digest('hex') };
}

/** RSS of the files service: the child process serving it (in-process mode) or, with --via, this client. */
let servicePid: number | undefined;
function serviceRss(): number {
  if (servicePid === undefined) return process.memoryUsage.rss();
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${servicePid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

function sampleRss() {
  let peak = serviceRss();
  const t = setInterval(() => (peak = Math.max(peak, serviceRss())), 25);
  return () => {
    clearInterval(t);
    return peak;
  };
}

/** Each leg starts on a quiet machine (see untilQuiet: the previous leg's pipeline work is not billed to it). */
async function quiet(leg: string) {
  const q = await untilQuiet();
  if (!q.quiet)
    console.log(`(machine still busy after ${q.waitedSeconds.toFixed(0)} s before ${leg}: measuring anyway)`);
  else if (q.waitedSeconds > 3)
    console.log(`(waited ${q.waitedSeconds.toFixed(0)} s for the machine to settle before ${leg})`);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}

function request(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Readable,
): Promise<{ status: number; text: string; sha256: string; bytes: number }> {
  // In process, the files service accepts only what the gateway vouches for: add its assertion.
  if (!via) {
    const u = new URL(url);
    headers = { ...headers, ...gatewayHeaders('files', { method, url: `${u.pathname}${u.search}`, headers }) };
  }
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      const h = createHash('sha256');
      let bytes = 0;
      let text = '';
      res.on('data', (c: Buffer) => {
        h.update(c);
        bytes += c.length;
        if (text.length < 8192) text += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, sha256: h.digest('hex'), bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) body.pipe(req);
    else req.end();
  });
}

function multipart(stream: Readable) {
  const b = `----bench${Date.now()}`;
  async function* gen() {
    yield Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="file"; filename="bench.pdf"\r\n\r\n`);
    for await (const c of stream) yield c as Buffer;
    yield Buffer.from(`\r\n--${b}--\r\n`);
  }
  return { body: Readable.from(gen()), type: `multipart/form-data; boundary=${b}` };
}

const rate = (ms: number) => size / MiB / (ms / 1000);

/**
 * Which processes' CPU a leg is charged to: the emulator and, with --via, the running files
 * service and gateway, without it the files service's own process; "client" is this process.
 */
function pathPids(): Record<string, number> {
  const local = localPids(join(repoRoot, '.local/run'), via ? ['aws', 'files', 'gateway'] : ['aws']);
  return { ...local, ...(servicePid ? { files: servicePid } : {}), client: process.pid };
}

/**
 * CPU figures of one leg against its raw SDK twin: throughput = busy cores / CPU per byte, so the
 * throughput ratio splits into "how much more CPU work per byte" and "how many cores were kept
 * busy". When the service path keeps every core busy, its ratio is bound by the machine.
 */
function cpuFigures(leg: string, svc: CpuUse | undefined, raw: CpuUse | undefined) {
  if (!svc || !raw) return [];
  const perGiB = (u: CpuUse, name: string) => ((u.seconds[name] ?? 0) * 1024 * MiB) / size;
  const total = (u: CpuUse) => Object.keys(u.seconds).reduce((a, n) => a + perGiB(u, n), 0);
  return [
    {
      metric: `${leg}: busy cores (of ${svc.cores})`,
      value: svc.busyCores,
      unit: 'cores',
      baseline: { label: 'raw SDK', value: raw.busyCores, unit: 'cores' },
    },
    {
      metric: `${leg}: CPU per GiB, all processes`,
      value: total(svc),
      unit: 's',
      baseline: { label: 'raw SDK', value: total(raw), unit: 's' },
    },
    ...Object.keys(svc.seconds).map((n) => ({
      metric: `${leg}: CPU per GiB, ${n === 'aws' ? 'LocalStack' : n}`,
      value: perGiB(svc, n),
      unit: 's',
      ...(n === 'aws' || n === 'client' ? { baseline: { label: 'raw SDK', value: perGiB(raw, n), unit: 's' } } : {}),
    })),
  ];
}

/**
 * Where a download's time goes (in process only): the stored object read the way the service
 * reads it, then with each stage added: decrypt, SHA-256. The HTTP write is the full download
 * above; each figure's baseline is the raw S3 GET, so the stage that drops the ratio is the bound.
 */
async function downloadStages(deps: import('../src/deps.js').Deps, fileId: string) {
  const { createRangeDecryptStream, segmentRange } = await import('@medvault/common/crypto');
  const f = (await deps.files.get(fileId))!;
  const { header } = await deps.objects.readHeader(f.location);
  const ctx = { fileId: f._id, ownerId: f.ownerId };
  const sr = segmentRange(header, f.size, 0, f.size - 1);
  const pass = async (decrypt: boolean, hash: boolean) => {
    const key = await deps.keys.unwrap(header.wrappedKey, header.keyId, ctx);
    const t0 = performance.now();
    let s: Readable = deps.objects.readRange(f.location, sr.cipherStart, sr.cipherEnd);
    if (decrypt) s = s.pipe(createRangeDecryptStream(key, header, sr));
    const h = createHash('sha256');
    for await (const c of s) if (hash) h.update(c as Buffer);
    return performance.now() - t0;
  };
  const read = await pass(false, false);
  const decrypt = await pass(true, false);
  const hashed = await pass(true, true);
  return [
    { metric: 'stage: S3 ranged reads ahead', value: rate(read), unit: 'MiB/s' },
    { metric: 'stage: + decrypt (AES-256-GCM)', value: rate(decrypt), unit: 'MiB/s' },
    { metric: 'stage: + SHA-256 verify', value: rate(hashed), unit: 'MiB/s' },
  ];
}

/** Starts serve.ts in a child process; resolves once it listens. */
async function serveFiles(env: NodeJS.ProcessEnv) {
  // Profiling aid: BENCH_SERVICE_PROFILE=<dir> writes the service's CPU profile there.
  const prof = process.env.BENCH_SERVICE_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SERVICE_PROFILE}`]
    : [];
  const args = [...prof, '--conditions=source', '--import', 'tsx', join(import.meta.dirname, 'serve.ts')];
  const child = await startChildServer(args, env, 'files service');
  return { ...child, port: Number(child.address) };
}

async function main() {
  const d = data();
  const admin = new S3Client({
    ...s3ClientConfig({
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
      ...credentialsFor('provisioner'),
    }),
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const bucket = process.env.BUCKET_QUARANTINE ?? 'medvault-quarantine';

  // Raw SDK baseline: the same bytes, multipart PUT and streamed GET, same emulator.
  const key = `bench/${newId('file')}`;
  const pids = pathPids();
  await quiet('raw upload');
  let cpu = measureCpu(pids);
  const rawUp = await timed(() =>
    new Upload({
      client: admin,
      params: { Bucket: bucket, Key: key, Body: d.stream() },
      partSize: 8 * MiB,
      queueSize: 2,
    }).done(),
  );
  const rawUpCpu = cpu();
  await quiet('raw download');
  cpu = measureCpu(pids);
  const rawDown = await timed(async () => {
    const r = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const h = createHash('sha256');
    for await (const c of r.Body as Readable) h.update(c as Buffer);
    return h.digest('hex');
  });
  const rawDownCpu = cpu();
  await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  if (rawDown.result !== d.sha256) throw new Error('raw round trip mismatch');

  // Files service.
  let base = via;
  let close = async () => undefined as unknown;
  let deps: import('../src/deps.js').Deps | undefined;
  if (!base) {
    const { buildDeps } = await import('../src/deps.js');
    const { loadServiceConfig } = await import('../src/config.js');
    const env = serviceEnv('files', {
      LOG_LEVEL: 'warn',
      MONGO_DB: `files_bench_${Date.now()}`,
      MAX_UPLOAD_BYTES: String(size + MiB),
    });
    // The service in a process of its own (serve.ts); these deps (same database) apply the
    // pipeline's verdicts and time the download stages.
    deps = await buildDeps(loadServiceConfig(env));
    const child = await serveFiles(env);
    servicePid = child.pid;
    base = `http://127.0.0.1:${child.port}`;
    close = async () => {
      await child.stop();
      await deps!.db.dropDatabase();
      await deps!.close();
    };
  }
  const patient = newId('user');
  const auth = { authorization: `Bearer ${mintTestToken({ sub: patient, role: 'patient', ttl: 3600 })}` };
  const rssBefore = serviceRss();
  const stopRss = sampleRss();
  const m = multipart(d.stream());
  await quiet('upload');
  cpu = measureCpu(pathPids());
  const up = await timed(() => request(`${base}/v1/files`, 'POST', { ...auth, 'content-type': m.type }, m.body));
  const upCpu = cpu();
  const rssPeak = stopRss();
  if (up.result.status !== 202 && up.result.status !== 200)
    throw new Error(`upload failed: ${up.result.status} ${up.result.text}`);
  const file = JSON.parse(up.result.text) as { id: string; sha256: string };
  if (file.sha256 !== d.sha256) throw new Error('service hashed different bytes');

  if (deps) {
    const { buildHandlers } = await import('../src/messaging/handlers.js');
    const hs = buildHandlers(deps);
    const ctx = { logger: deps.logger, receiveCount: 1 };
    await hs['file.scanned']!(
      createEvent(
        'file.scanned',
        {
          fileId: file.id,
          generation: 1,
          verdict: 'clean',
          signatures: [],
          engine: 'bench',
          databaseVersion: '0',
          durationMs: 0,
        },
        { correlationId: 'bench', source: 'bench' },
      ),
      ctx,
    );
    await hs['file.processed']!(
      createEvent(
        'file.processed',
        { fileId: file.id, generation: 1, sha256: file.sha256, sha256Verified: true, derivatives: [] },
        { correlationId: 'bench', source: 'bench' },
      ),
      ctx,
    );
  } else {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const s = JSON.parse((await request(`${base}/v1/files/${file.id}`, 'GET', auth)).text).status;
      if (s === 'available') break;
      if (Date.now() > deadline) throw new Error(`file never became available (status ${s})`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  const link = JSON.parse(
    (
      await request(
        `${base}/v1/files/${file.id}/links`,
        'POST',
        { ...auth, 'content-type': 'application/json' },
        Readable.from([Buffer.from('{"maxDownloads":10}')]),
      )
    ).text,
  ) as { url: string };
  const rssBeforeDown = serviceRss();
  const stopRssDown = sampleRss();
  await quiet('download');
  cpu = measureCpu(pathPids());
  const down = await timed(() => request(`${base}${link.url}`, 'GET', auth));
  const downCpu = cpu();
  const rssPeakDown = stopRssDown();
  if (process.env.BENCH_DOWNLOAD_PROFILE) {
    // Profiling aid: more downloads of the same file (the link allows several).
    for (let i = 0; i < Number(process.env.BENCH_DOWNLOAD_PROFILE); i++) {
      const again = await timed(() => request(`${base}${link.url}`, 'GET', auth));
      console.log(`download again: ${rate(again.ms).toFixed(1)} MiB/s`);
    }
  }
  if (down.result.sha256 !== d.sha256 || down.result.bytes !== size) throw new Error('files round trip mismatch');
  const stages = deps ? await downloadStages(deps, file.id) : [];
  await request(`${base}/v1/files/${file.id}`, 'DELETE', auth);
  await close();
  admin.destroy();
  for (const st of stages) console.log(`stage ${st.metric.padEnd(40)} ${st.value.toFixed(1)} MiB/s`);

  const row = (name: string, raw: number, svc: number) =>
    `${name.padEnd(10)} raw SDK ${rate(raw).toFixed(1).padStart(7)} MiB/s   files ${rate(svc).toFixed(1).padStart(7)} MiB/s   ratio ${(rate(svc) / rate(raw)).toFixed(2)}`;
  console.log(`size ${size / MiB} MiB via ${via ?? 'the files service in its own process (real HTTP)'}`);
  console.log(row('upload', rawUp.ms, up.ms));
  console.log(row('download', rawDown.ms, down.ms));
  console.log(
    `peak RSS during files upload: ${(rssPeak / MiB).toFixed(0)} MiB (before: ${(rssBefore / MiB).toFixed(0)} MiB, growth ${((rssPeak - rssBefore) / MiB).toFixed(0)} MiB)`,
  );
  benchResult(`files: ${size / MiB} MiB ${via ? 'through the gateway' : 'through the files service'}`, [
    {
      metric: 'upload',
      value: rate(up.ms),
      unit: 'MiB/s',
      baseline: { label: 'raw SDK multipart PUT', value: rate(rawUp.ms), unit: 'MiB/s' },
    },
    {
      metric: 'download',
      value: rate(down.ms),
      unit: 'MiB/s',
      baseline: { label: 'raw SDK GET', value: rate(rawDown.ms), unit: 'MiB/s' },
    },
    {
      metric: 'peak RSS during upload',
      value: rssPeak / MiB,
      unit: 'MiB',
      baseline: { label: 'RSS before', value: rssBefore / MiB, unit: 'MiB' },
    },
    {
      metric: 'peak RSS during download',
      value: rssPeakDown / MiB,
      unit: 'MiB',
      baseline: { label: 'RSS before', value: rssBeforeDown / MiB, unit: 'MiB' },
    },
    ...cpuFigures('upload', upCpu, rawUpCpu),
    ...cpuFigures('download', downCpu, rawDownCpu),
    ...stages.map((st) => ({ ...st, baseline: { label: 'raw SDK GET', value: rate(rawDown.ms), unit: 'MiB/s' } })),
  ]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
