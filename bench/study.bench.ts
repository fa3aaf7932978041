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
 * The watermark worker's RSS is sampled too: it indexes the DICOM members as the ZIP streams by,
 * and the study must then be found by its Study Instance UID (GET /v1/files?studyInstanceUid=).
 *   npm run bench study        (stack and services up; figures in BENCH_RESULT)
 */
loadEnvFile(join(repoRoot, 'infra/env/local.env'));
const MiB = 1024 * 1024;
const size = Number(process.env.BENCH_STUDY_MIB ?? 1024) * MiB;
const base = `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 8080}`;
const token = mintTestToken({ sub: newId('user'), role: 'patient', ttl: 3600 });
const auth = { authorization: `Bearer ${token}` };

function pidOf(service: string): number {
  return Number(readFileSync(join(repoRoot, `.local/run/${service}.pid`), 'utf8').trim());
}

/** The record's DICOM index, and whether the file list finds the file by that study. */
async function studyIndex(id: string): Promise<{ study?: string; instances?: number; found: boolean }> {
  const r = await fetch(`${base}/v1/files/${id}`, { headers: auth });
  const dicom = ((await r.json()) as { dicom?: { studyInstanceUid?: string; instances?: number } }).dicom ?? {};
  if (!dicom.studyInstanceUid) return { found: false };
  const list = await fetch(`${base}/v1/files?studyInstanceUid=${dicom.studyInstanceUid}`, { headers: auth });
  const items = ((await list.json()) as { items?: { id: string }[] }).items ?? [];
  return { study: dicom.studyInstanceUid, instances: dicom.instances, found: items.some((i) => i.id === id) };
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
  const pid = pidOf('scanner');
  const wmPid = pidOf('watermark');
  const idle = rssMiB(pid);
  const wmIdle = rssMiB(wmPid);
  let peak = idle;
  let wmPeak = wmIdle;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid));
    wmPeak = Math.max(wmPeak, rssMiB(wmPid));
  }, 100);
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
  const index = await studyIndex(id);
  console.log(
    `indexed as study ${index.study ?? '(none)'} with ${index.instances ?? 0} instances; found by study: ${index.found}; watermark RSS ${wmIdle.toFixed(0)} → peak ${wmPeak.toFixed(0)} MiB`,
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
    {
      metric: 'watermark peak RSS (indexing the members)',
      value: wmPeak,
      unit: 'MiB',
      baseline: { label: 'watermark idle RSS', value: wmIdle, unit: 'MiB' },
    },
    { metric: 'DICOM instances indexed from the ZIP', value: index.instances ?? 0, unit: 'instances' },
  ]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
