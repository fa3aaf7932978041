import { describe, expect, it } from 'vitest';
import { emailHash, hashRefreshToken, newRefreshToken } from './tokens.js';

describe('opaque tokens and hashes', () => {
  it('makes unguessable refresh tokens and stores only a stable hash', () => {
    const t = newRefreshToken();
    expect(t).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    expect(newRefreshToken()).not.toBe(t);
    expect(hashRefreshToken(t)).toBe(hashRefreshToken(t));
    expect(hashRefreshToken(t)).not.toContain(t);
  });

  it('hashes emails case-insensitively', () => {
    expect(emailHash(' Ann@Example.org')).toBe(emailHash('ann@example.org'));
  });
});
