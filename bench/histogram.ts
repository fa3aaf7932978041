/** One distribution of the histogram: its values (ms) and how it is drawn. */
export interface Series {
  label: string;
  values: number[];
  color: string;
}

const escapeXml = (s: string) => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);

/** A "nice" bin width (1, 2 or 5 × 10^n ms) giving about `target` bins over `span`. */
export function binWidth(span: number, target = 20): number {
  const raw = Math.max(span, 1) / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((w) => w >= raw) ?? 10 * p;
}

/** Counts per bin of `width` ms from 0. */
export function bins(values: number[], width: number, count: number): number[] {
  const out = new Array<number>(count).fill(0);
  for (const v of values) out[Math.min(count - 1, Math.max(0, Math.floor(v / width)))]!++;
  return out;
}

/**
 * A self-contained SVG histogram of latency distributions side by side in each bin (no
 * dependency: the results folder is read in a browser or on GitHub), with p50/p95 per series.
 */
export function histogramSvg(title: string, series: Series[]): string {
  const all = series.flatMap((s) => s.values);
  const max = Math.max(1, ...all);
  const width = binWidth(max);
  const n = Math.floor(max / width) + 1;
  const counts = series.map((s) => bins(s.values, width, n));
  const top = Math.max(1, ...counts.flat());
  const W = 900;
  const H = 360;
  const left = 50;
  const bottom = H - 50;
  const plotW = W - left - 20;
  const plotH = bottom - 60;
  const slot = plotW / n;
  const bar = (slot * 0.9) / series.length;
  const pct = (v: number[], p: number) => {
    const s = [...v].sort((a, b) => a - b);
    return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! : Number.NaN;
  };
  const rects = counts
    .flatMap((c, si) =>
      c.map((k, bi) => {
        const h = (k / top) * plotH;
        const x = left + bi * slot + si * bar;
        return k
          ? `<rect x="${x.toFixed(1)}" y="${(bottom - h).toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" fill="${series[si]!.color}"><title>${k} file(s) in ${bi * width}-${(bi + 1) * width} ms</title></rect>`
          : '';
      }),
    )
    .join('');
  const ticks = Array.from({ length: n + 1 }, (_, i) => i)
    .filter((i) => i % Math.ceil(n / 10) === 0)
    .map(
      (i) =>
        `<text x="${(left + i * slot).toFixed(1)}" y="${bottom + 16}" font-size="11" text-anchor="middle">${i * width}</text>`,
    )
    .join('');
  const legend = series
    .map(
      (s, i) =>
        `<rect x="${left + i * 300}" y="32" width="12" height="12" fill="${s.color}"/><text x="${left + 18 + i * 300}" y="43" font-size="12">${escapeXml(s.label)}: p50 ${pct(s.values, 50).toFixed(0)} ms, p95 ${pct(s.values, 95).toFixed(0)} ms (n=${s.values.length})</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif"><text x="10" y="20" font-size="15">${escapeXml(title)}</text>${legend}<line x1="${left}" y1="${bottom}" x2="${W - 20}" y2="${bottom}" stroke="#333"/><text x="${left}" y="${H - 12}" font-size="12">milliseconds from upload start to available (bins of ${width} ms); bar height: files (max ${top})</text>${rects}${ticks}</svg>\n`;
}
