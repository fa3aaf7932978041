import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { loadEnvFile } from '@medvault/common/config';
import { newId } from '@medvault/common/ids';
import { benchResult, mintTestToken, repoRoot, rssMiB } from '@medvault/common/testing';
import { studyZip } from '../services/scanner/test/study-zip.js';

/**
 * Issue 17: a generated imaging study ZIP (default 1 GiB of 512x512 CT instances, BENCH_STUDY_MIB)
 * uploaded through the gateway until it is `available` (upload → scan: whole file + every member
 * → release → processing), with the running scanner's resident memory sampled from /proc every
 * 100 ms: it must stay flat (streams and an encrypted spool on disk, never the file in memory).
 *   npm run bench study        (stack and services up; figures in BENCH_RESULT)
 */
loadEnvFile(join(repoRoot, 'infra/env/local.env'));
const MiB = 1024 * 1024;
const size = Number(process.env.BENCH_STUDY_MIB ?? 1024) * MiB;
const base = `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 8080}`;
const token = mintTestToken({ sub: newId('user'), role: 'patient', ttl: 3600 });
const auth = { authorization: `Bearer ${token}` };

function scannerPid(): number {
  return Number(readFileSync(join(repoRoot, '.local/run/scanner.pid'), 'utf8').trim());
}

function post(body: Readable, type: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}/v1/files`,
      { method: 'POST', headers: { ...auth, 'content-type': type } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    body.pipe(req);
  });
}

async function status(id: string): Promise<string> {
  const r = await fetch(`${base}/v1/files/${id}`, { headers: auth });
  return ((await r.json()) as { status?: string }).status ?? `http ${r.status}`;
}

async function main() {
  const pid = scannerPid();
  const idle = rssMiB(pid);
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 100);
  const study = studyZip(size);
  const boundary = `----study${Date.now()}`;
  async function* form() {
    yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="study.zip"\r\n\r\n`);
    let bytes = 0;
    for await (const c of study.stream) {
      bytes += (c as Buffer).length;
      yield c as Buffer;
    }
    console.log(`sent ${(bytes / MiB).toFixed(0)} MiB (${study.members} DICOM instances)`);
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  const t0 = performance.now();
  const up = await post(Readable.from(form()), `multipart/form-data; boundary=${boundary}`);
  const uploaded = performance.now();
  if (up.status !== 202) throw new Error(`upload refused: ${up.status} ${up.text.slice(0, 300)}`);
  const id = (JSON.parse(up.text) as { id: string }).id;
  let last = '';
  for (;;) {
    last = await status(id);
    if (['available', 'infected', 'scan_failed', 'integrity_failed'].includes(last)) break;
    if (performance.now() - uploaded > 30 * 60_000) throw new Error(`still '${last}' after 30 min`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const done = performance.now();
  clearInterval(sampler);
  if (last !== 'available') throw new Error(`study ended '${last}'`);
  const secs = (ms: number) => ms / 1000;
  console.log(
    `${size / MiB} MiB study: upload ${secs(uploaded - t0).toFixed(1)} s, then available after ${secs(done - uploaded).toFixed(1)} s; scanner RSS ${idle.toFixed(0)} → peak ${peak.toFixed(0)} MiB`,
  );
  benchResult(`imaging: ${size / MiB} MiB study ZIP through the gateway`, [
    { metric: 'upload (202)', value: secs(uploaded - t0), unit: 's' },
    { metric: 'upload to available (scan + release + processing)', value: secs(done - uploaded), unit: 's' },
    {
      metric: 'scanner peak RSS',
      value: peak,
      unit: 'MiB',
      baseline: { label: 'scanner idle RSS', value: idle, unit: 'MiB' },
    },
  ]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
