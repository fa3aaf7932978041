import { describe, expect, it } from 'vitest';
import { formatSeconds, secondsLeft } from './upload';

describe('upload time left', () => {
  it('is the remaining bytes at the average rate so far', () => {
    // 1 MB in 2 s → 0.5 MB/s; 3 MB remain → 6 s.
    expect(secondsLeft(1_000_000, 4_000_000, 2000)).toBe(6);
  });

  it('is unknown before any byte has gone or too early to tell', () => {
    expect(secondsLeft(0, 100, 5000)).toBeUndefined();
    expect(secondsLeft(10, 100, 100)).toBeUndefined();
  });

  it('is zero once everything is sent', () => {
    expect(secondsLeft(100, 100, 5000)).toBe(0);
  });

  it('reads as minutes and seconds for a person', () => {
    expect(formatSeconds(75)).toBe('1 min 15 s left');
    expect(formatSeconds(undefined)).toBe('estimating…');
  });
});
