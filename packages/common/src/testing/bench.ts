import { readFileSync } from 'node:fs';

/**
 * Shared by every benchmark (bench/run.ts collects the BENCH_RESULT lines they print): a figure names its baseline, measured in the same run, so numbers
 * compare across machines as ratios. Benchmarks print figures; they never pass or fail.
 */
export interface Figure {
  metric: string;
  value: number;
  unit: string;
  /** What the value is compared with, measured in the same run (e.g. raw SDK PUT). */
  baseline?: { label: string; value: number; unit: string };
  /** value / baseline.value (or the inverse when lower is better), when a baseline exists. */
  ratio?: number;
  note?: string;
}

export function figure(
  metric: string,
  value: number,
  unit: string,
  baseline?: Figure['baseline'],
  note?: string,
): Figure {
  const f: Figure = { metric, value: round(value), unit };
  if (baseline) {
    f.baseline = { ...baseline, value: round(baseline.value) };
    if (baseline.value > 0) f.ratio = round(value / baseline.value, 3);
  }
  if (note) f.note = note;
  return f;
}

export function round(n: number, digits = 2): number {
  const m = 10 ** digits;
  return Math.round(n * m) / m;
}

/** Figures without rounding or ratio yet (benchResult derives both). */
export type RawFigure = Pick<Figure, 'metric' | 'value' | 'unit' | 'baseline' | 'note'>;

/** report() for figures given as plain objects. */
export function benchResult(name: string, figures: RawFigure[]): void {
  report(
    name,
    figures.map((f) => figure(f.metric, f.value, f.unit, f.baseline, f.note)),
  );
}

/** Prints the machine-readable line the runner (bench/run.ts) collects, plus a readable table. */
export function report(name: string, figures: Figure[]): void {
  for (const f of figures) {
    const base = f.baseline
      ? `  (baseline ${f.baseline.label}: ${f.baseline.value} ${f.baseline.unit}; ratio ${f.ratio})`
      : '';
    console.log(`  ${f.metric}: ${f.value} ${f.unit}${base}`);
  }
  console.log(`BENCH_RESULT ${JSON.stringify({ name, figures })}`);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Peak resident memory of a process, sampled from /proc (Linux), in MiB. */
export function rssMiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+)/.exec(status);
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
