import type { Figure } from './lib.js';

/** One line of the results table: a benchmark's figure as printed, and its ratio for the chart. */
export interface Row {
  name: string;
  line: string;
  label: string;
  ratio?: number;
}

export interface Outcome {
  name: string;
  ok: boolean;
  figures: Figure[];
  error?: string;
}

export function rowsOf(results: Outcome[]): Row[] {
  return results.flatMap((r) =>
    r.ok || r.figures.length
      ? r.figures.map((f) => ({
          name: r.name,
          label: `${r.name}: ${f.metric}`,
          ...(f.ratio === undefined ? {} : { ratio: f.ratio }),
          line: `| ${r.name} | ${f.metric} | ${f.value} ${f.unit} | ${f.baseline ? `${f.baseline.label}: ${f.baseline.value} ${f.baseline.unit}` : '—'} | ${f.ratio ?? '—'} |`,
        }))
      : [{ name: r.name, label: r.name, line: `| ${r.name} | (failed: ${r.error}) | | | |` }],
  );
}

/**
 * The rows of a results table written earlier (bench/results/latest.md, which is committed), so
 * that a filtered run on a clean clone keeps the other benchmarks' last figures.
 */
export function parseRows(markdown: string): Row[] {
  return markdown
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| benchmark |'))
    .map((line) => {
      const cells = line.split('|').map((c) => c.trim());
      const [name = '', metric = ''] = [cells[1], cells[2]];
      const ratio = Number(cells[5]);
      return { name, line, label: `${name}: ${metric}`, ...(cells[5] && Number.isFinite(ratio) ? { ratio } : {}) };
    });
}

/** Previous rows, with every benchmark that ran again replaced in place; new benchmarks at the end. */
export function mergeRows(previous: Row[], fresh: Row[]): Row[] {
  const rerun = new Set(fresh.map((r) => r.name));
  const out: Row[] = [];
  const placed = new Set<string>();
  for (const row of previous) {
    if (!rerun.has(row.name)) out.push(row);
    else if (!placed.has(row.name)) {
      out.push(...fresh.filter((r) => r.name === row.name));
      placed.add(row.name);
    }
  }
  return [...out, ...fresh.filter((r) => !placed.has(r.name))];
}

export function markdownTable(rows: Row[]): string {
  return [
    '| benchmark | figure | value | baseline (same run) | ratio |',
    '|---|---|---|---|---|',
    ...rows.map((r) => r.line),
  ].join('\n');
}
