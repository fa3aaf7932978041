import { describe, expect, it } from 'vitest';
import { markdownTable, mergeRows, parseRows, rowsOf } from './rows.js';

const table = markdownTable([
  ...rowsOf([
    { name: 'gateway', ok: true, figures: [{ metric: 'rps', value: 600, unit: 'req/s', ratio: 0.4 }] },
    { name: 'audit', ok: true, figures: [{ metric: 'ingest', value: 2000, unit: 'events/s' }] },
  ]),
]);

describe('benchmark result rows', () => {
  it('reads back the rows of a table it wrote, with their ratios', () => {
    const rows = parseRows(table);
    expect(rows.map((r) => [r.name, r.ratio])).toEqual([
      ['gateway', 0.4],
      ['audit', undefined],
    ]);
    expect(markdownTable(rows)).toBe(table);
  });

  it('keeps the benchmarks a filtered run did not run, and replaces the one it ran in place', () => {
    const fresh = rowsOf([
      { name: 'gateway', ok: true, figures: [{ metric: 'rps', value: 900, unit: 'req/s', ratio: 0.8 }] },
    ]);
    const merged = mergeRows(parseRows(table), fresh);
    expect(merged.map((r) => r.line)).toEqual([fresh[0]!.line, parseRows(table)[1]!.line]);
  });

  it('adds a benchmark that was not in the table at the end', () => {
    const fresh = rowsOf([{ name: 'chat', ok: false, figures: [], error: 'missing' }]);
    expect(mergeRows(parseRows(table), fresh).map((r) => r.name)).toEqual(['gateway', 'audit', 'chat']);
  });
});
