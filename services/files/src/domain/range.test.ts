import { describe, expect, it } from 'vitest';
import { parseRange } from './range.js';

describe('Range header parsing', () => {
  it('parses closed, open and suffix ranges', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=95-500', 100)).toEqual({ start: 95, end: 99 });
  });
  it('ignores a missing header and multi-ranges (served whole)', () => {
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=0-1,5-6', 100)).toBeNull();
  });
  it('answers 416 for unsatisfiable ranges, naming the size', () => {
    for (const h of ['bytes=100-', 'bytes=5-2', 'items=0-1', 'bytes=-0']) {
      expect(() => parseRange(h, 100), h).toThrow(
        expect.objectContaining({ code: 'RANGE_NOT_SATISFIABLE', headers: { 'content-range': 'bytes */100' } }),
      );
    }
    expect(() => parseRange('bytes=0-0', 0)).toThrow(/not satisfiable/);
  });
});
