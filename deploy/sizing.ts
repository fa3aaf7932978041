// The sizing table of docs/deploy.md, computed from the benchmark figures (bench/results/latest.md)
// so it can be regenerated after `npm run bench`:
//   node --conditions=source --import tsx deploy/sizing.ts
// Model: replicas = ceil(load / target utilisation), load = the fraction of one instance a given
// traffic needs, from per-instance throughputs measured on the benchmark machine (2 shared cores:
// conservative). Never below 2 for a service that must stay available.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Assumptions the benchmarks do not give; named in the table's notes. */
export const assumptions = {
  uploadsPerMinute: 1000,
  /** Each upload is downloaded once. */
  downloadsPerUpload: 1,
  /** API calls around one upload (status polls, link, listing, audit queries). */
  smallRequestsPerUpload: 10,
  /** Audit events per upload (file.* lifecycle + access events). */
  auditEventsPerUpload: 10,
  targetUtilisation: 0.7,
  minHa: 2,
  meanSizesMiB: [1, 10],
};

/** "value unit" of the row whose benchmark and figure columns start with the given texts. */
export function figure(md: string, bench: string, fig: string): number {
  for (const line of md.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells[1]?.startsWith(bench) && cells[2]?.startsWith(fig)) {
      const value = Number.parseFloat(cells[3] ?? '');
      if (Number.isFinite(value)) return value;
    }
  }
  throw new Error(`bench/results/latest.md has no figure "${bench}" / "${fig}"`);
}

/** A baseline column value (measured in the same run), by pattern. */
function baseline(md: string, pattern: RegExp): number {
  const value = Number.parseFloat(md.match(pattern)?.[1] ?? '');
  if (!Number.isFinite(value)) throw new Error(`bench/results/latest.md has no baseline ${pattern}`);
  return value;
}

export function sizingTable(md: string): string {
  const a = assumptions;
  const perSecond = a.uploadsPerMinute / 60;
  const f = {
    gwRps: figure(md, 'gateway: authenticated small GET', 'throughput via gateway'),
    directRps: baseline(md, /direct to service: ([\d.]+) req\/s/),
    gwUp: figure(md, 'files: 128 MiB through the gateway', 'upload'),
    gwDown: figure(md, 'files: 128 MiB through the gateway', 'download'),
    filesUp: figure(md, 'files: 1024 MiB through the files service', 'upload'),
    filesDown: figure(md, 'files: 1024 MiB through the files service', 'download'),
    scanMB: figure(md, 'scanner: scan throughput', 'service path'),
    clamdMB: baseline(md, /clamdscan --stream: ([\d.]+) MB\/s/),
    auditEps: figure(md, 'audit', 'ingest'),
  };
  const mib = (mb: number) => (mb * 1e6) / 2 ** 20;
  const replicas = (load: number, ha = true) =>
    Math.max(ha ? a.minHa : 1, Math.ceil(load / a.targetUtilisation - 1e-9));
  const rows: [string, (m: number) => number, string][] = [
    [
      'gateway',
      (m) =>
        (m * perSecond) / f.gwUp +
        (a.downloadsPerUpload * m * perSecond) / f.gwDown +
        (a.smallRequestsPerUpload * perSecond) / f.gwRps,
      `upload ${f.gwUp} MiB/s, download ${f.gwDown} MiB/s, ${f.gwRps} small req/s per instance`,
    ],
    [
      'files',
      (m) =>
        (m * perSecond) / f.filesUp +
        (a.downloadsPerUpload * m * perSecond) / f.filesDown +
        (a.smallRequestsPerUpload * perSecond) / f.directRps,
      `upload ${f.filesUp} MiB/s, download ${f.filesDown} MiB/s, ${f.directRps} small req/s`,
    ],
    ['scanner', (m) => (m * perSecond) / mib(f.scanMB), `${f.scanMB} MB/s (S3 + decrypt + INSTREAM)`],
    ['clamd', (m) => (m * perSecond) / mib(f.clamdMB), `${f.clamdMB} MB/s (clamdscan --stream)`],
    ['audit', () => (a.auditEventsPerUpload * perSecond) / f.auditEps, `${f.auditEps} events/s ingest`],
  ];
  const head = `| service | per-instance figure | ${a.meanSizesMiB.map((m) => `replicas at ${m} MiB/upload`).join(' | ')} |`;
  const sep = `|---|---|${a.meanSizesMiB.map(() => '---:').join('|')}|`;
  const body = rows.map(
    ([name, load, fig]) =>
      `| ${name} | ${fig} | ${a.meanSizesMiB.map((m) => `${replicas(load(m))} (load ${load(m).toFixed(2)})`).join(' | ')} |`,
  );
  return [head, sep, ...body].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${sizingTable(readFileSync(join(root, 'bench/results/latest.md'), 'utf8'))}\n`);
}
