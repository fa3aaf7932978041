import { describe, expect, it } from 'vitest';
import { bins, binWidth, histogramSvg } from './histogram.js';

describe('latency histogram', () => {
  it('picks a round bin width of about twenty bins', () => {
    expect(binWidth(2000)).toBe(100);
    expect(binWidth(3100)).toBe(200);
  });

  it('counts every value in its bin, the largest in the last one', () => {
    expect(bins([0, 99, 100, 250, 999], 100, 3)).toEqual([2, 1, 2]);
  });

  it('draws one bar per non-empty bin and series, with each series p50 in the legend', () => {
    const svg = histogramSvg('t', [
      { label: 'one', values: [100, 120, 400], color: '#000' },
      { label: 'two', values: [90], color: '#fff' },
    ]);
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(4); // 100, 120, 400 and 90 ms: four bins of 20 ms
    expect(svg).toContain('one: p50 120 ms');
  });
});
