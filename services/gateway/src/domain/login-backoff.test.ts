import { describe, expect, it } from 'vitest';
import { backoffSeconds, sourceOf } from './login-backoff.js';

describe('login back-off', () => {
  const p = { threshold: 5, baseSeconds: 30, maxSeconds: 900 };

  it('lets the first failures through, then doubles the wait with each further failure up to the cap', () => {
    expect([1, 4, 5, 6, 7, 8, 9, 10, 50].map((n) => backoffSeconds(n, p))).toEqual([
      0, 0, 30, 60, 120, 240, 480, 900, 900,
    ]);
  });

  it('charges IPv4 addresses as they are and IPv6 addresses by their /64', () => {
    expect(sourceOf('203.0.113.7')).toBe('203.0.113.7');
    expect(sourceOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(sourceOf('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceOf('::1')).toBe('0:0:0:0::/64');
  });
});
