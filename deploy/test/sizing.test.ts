import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { figure, sizingTable } from '../sizing.js';
import { root } from './render.js';

const bench = readFileSync(join(root, 'bench/results/latest.md'), 'utf8');

describe('the sizing table of docs/deploy.md', () => {
  it('is the one deploy/sizing.ts computes from bench/results/latest.md', () => {
    const doc = readFileSync(join(root, 'docs/deploy.md'), 'utf8');
    const table = doc.match(/<!-- sizing:begin -->\n([\s\S]*?)\n<!-- sizing:end -->/)?.[1];
    expect(table).toBe(sizingTable(bench));
  });

  it('follows the benchmark figures (halving the scanner throughput doubles its load)', () => {
    const scan = figure(bench, 'scanner: scan throughput', 'service path');
    const slower = bench.replace(`| ${scan} MB/s |`, `| ${scan / 2} MB/s |`);
    const load = (md: string) => Number(sizingTable(md).match(/\| scanner \|.*?\(load ([\d.]+)\) \|/)?.[1]);
    expect(load(slower)).toBeCloseTo(load(bench) * 2, 1);
  });
});
