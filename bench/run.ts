import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '@medvault/common/aws';
import { credentialsFor } from '@medvault/common/testing';
import type { Figure } from './lib.js';
import { markdownTable, mergeRows, parseRows, type Row, rowsOf } from './rows.js';

/**
 * `npm run bench`: runs every benchmark on the local stack (one at a time: 2 cores), collects
 * their BENCH_RESULT lines, and writes bench/results/latest.{json,md,svg}. A benchmark that
 * fails is reported as such; the others still run.
 */
const ROOT = join(import.meta.dirname, '..');
// [script, args]: the audit verification figure is over BENCH_AUDIT_RECORDS records (default 1 000 000).
const BENCHES: [string, string[]][] = [
  ['services/gateway/bench/gateway.bench.ts', []],
  // Through the gateway (the file must pass the scanner, so below clamd's stream limit), then the
  // files service alone on a large upload for its peak memory (BENCH_FILES_BIG_MIB, default 1 GiB).
  [
    'services/files/bench/files.bench.ts',
    ['--mib', process.env.BENCH_FILES_MIB ?? '128', '--via', `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 8080}`],
  ],
  ['services/files/bench/files.bench.ts', ['--mib', process.env.BENCH_FILES_BIG_MIB ?? '1024']],
  ['services/scanner/bench/scan.bench.ts', []],
  // A 1 GiB generated study ZIP through the whole pipeline, scanner memory sampled (issue 17).
  ['bench/study.bench.ts', []],
  ['bench/latency.bench.ts', []],
  // Moderation precision/recall on its labelled corpus, chat fan-out latency and messages/s.
  ['services/chat/bench/chat.bench.ts', []],
  ['services/audit/bench/audit.bench.ts', ['--records', process.env.BENCH_AUDIT_RECORDS ?? '1000000']],
];

interface Result {
  /** Position in BENCHES (the files benchmark appears twice, with different sizes). */
  slot: number;
  name: string;
  script: string;
  ok: boolean;
  figures: Figure[];
  error?: string;
  seconds: number;
}

function run(slot: number, script: string, args: string[]): Promise<Result> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
    });
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      const seconds = (Date.now() - started) / 1000;
      if (!line)
        return resolve({
          slot,
          name: script,
          script,
          ok: false,
          figures: [],
          error: `exit ${code}, no result`,
          seconds,
        });
      const r = JSON.parse(line.slice('BENCH_RESULT '.length)) as { name: string; figures: Figure[] };
      resolve({ slot, name: r.name, script, ok: code === 0, figures: r.figures, seconds });
    });
  });
}

/** Horizontal bars of every ratio (1.0 = as fast as the baseline), as a self-contained SVG. */
function svg(rows: Row[]): string {
  const bars = rows.flatMap((r) => (r.ratio === undefined ? [] : [{ label: r.label, v: r.ratio }]));
  const max = Math.max(1, ...bars.map((b) => b.v));
  const h = 28 * bars.length + 60;
  const items = bars
    .map((b, i) => {
      const y = 40 + i * 28;
      const w = (b.v / max) * 420;
      return `<text x="10" y="${y + 14}" font-size="12">${escapeXml(b.label)}</text><rect x="420" y="${y}" width="${w.toFixed(1)}" height="18" fill="#2b6cb0"/><text x="${(425 + w).toFixed(1)}" y="${y + 14}" font-size="12">${b.v}</text>`;
    })
    .join('');
  const one = 420 + 420 / max;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="${h}" font-family="sans-serif"><text x="10" y="22" font-size="15">MedVault benchmarks: ratio to the same-run baseline</text><line x1="${one}" y1="32" x2="${one}" y2="${h - 10}" stroke="#c53030" stroke-dasharray="4"/>${items}</svg>\n`;
}

function escapeXml(s: string) {
  return s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);
}

/**
 * Waits (bounded) until the services' queues are empty, so one benchmark's leftovers (e.g. the
 * audit trail of the gateway benchmark's requests) are not billed to the next one.
 */
async function settle(limitMs = 180_000): Promise<void> {
  const sqs = new SQSClient(
    awsClientConfig({
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
      ...credentialsFor('provisioner'),
    }),
  );
  const started = Date.now();
  try {
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'medvault-' }));
    const live = QueueUrls.filter((u) => !u.endsWith('-dlq'));
    for (;;) {
      let waiting = 0;
      for (const QueueUrl of live) {
        const a = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        waiting +=
          Number(a.Attributes?.ApproximateNumberOfMessages ?? 0) +
          Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
      }
      if (waiting === 0) return;
      if (Date.now() - started > limitMs) {
        console.log(`(queues still hold ${waiting} messages after ${limitMs / 1000} s: going on)`);
        return;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  } finally {
    if (Date.now() - started > 2000)
      console.log(`(waited ${((Date.now() - started) / 1000).toFixed(0)} s for queues to drain)`);
    sqs.destroy();
  }
}

const only = process.argv.slice(2);
const results: Result[] = [];
for (const [slot, [script, args]] of BENCHES.entries()) {
  if (only.length && !only.some((o) => script.includes(o))) continue;
  if (!existsSync(join(ROOT, script))) {
    results.push({ slot, name: script, script, ok: false, figures: [], error: 'missing', seconds: 0 });
    continue;
  }
  await settle();
  console.log(`\n== ${script}`);
  results.push(await run(slot, script, args));
}
const dir = join(ROOT, 'bench/results');
mkdirSync(dir, { recursive: true });
// A filtered run (`npm run bench latency`) replaces its own rows and keeps the others' last figures,
// read from the committed table (latest.json is not committed, so a clean clone has only the table).
const tablePath = join(dir, 'latest.md');
const previous = only.length && existsSync(tablePath) ? parseRows(readFileSync(tablePath, 'utf8')) : [];
const rows = mergeRows(previous, rowsOf(results));
const doc = {
  date: new Date().toISOString(),
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  results,
};
writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(doc, null, 2)}\n`);
writeFileSync(tablePath, `# Benchmarks (${doc.date})\n\n${markdownTable(rows)}\n`);
writeFileSync(join(dir, 'latest.svg'), svg(rows));
console.log(`\n${markdownTable(rows)}\n\nwritten: bench/results/latest.{json,md,svg}`);
