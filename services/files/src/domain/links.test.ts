import { describe, expect, it } from 'vitest';
import { signLink, verifyLink, withinBudget } from './links.js';

const secret = 'x'.repeat(40);
const claims = { linkId: 'lnk_1', fileId: 'fil_1', userId: 'usr_1', exp: 2_000 };

describe('signed link tokens', () => {
  it('verifies its own tokens and returns the claims', () => {
    expect(verifyLink(secret, signLink(secret, claims), 1_000)).toMatchObject(claims);
  });
  it('refuses a token whose payload or signature was changed', () => {
    const t = signLink(secret, claims);
    const [payload, sig] = t.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...claims, userId: 'usr_2', nonce: 'n' })).toString('base64url');
    expect(() => verifyLink(secret, `${forged}.${sig}`, 1_000)).toThrow(/invalid/);
    expect(() => verifyLink(secret, `${payload}.${sig.slice(0, -2)}AA`, 1_000)).toThrow(/invalid/);
    expect(() => verifyLink('y'.repeat(40), t, 1_000)).toThrow(/invalid/);
    expect(() => verifyLink(secret, 'garbage', 1_000)).toThrow(/invalid/);
  });
  it('refuses an expired token with LINK_EXPIRED', () => {
    expect(() => verifyLink(secret, signLink(secret, claims), 2_000)).toThrow(
      expect.objectContaining({ code: 'LINK_EXPIRED' }),
    );
  });
  it('gives two links for the same file different tokens (nonce)', () => {
    expect(signLink(secret, claims)).not.toBe(signLink(secret, claims));
  });
});

describe('the byte budget of a link (maxDownloads counts what is served)', () => {
  it('lets N whole downloads through and refuses the next byte', () => {
    expect(withinBudget({ maxDownloads: 2, bytesServed: 1000 }, 1000, 1000)).toBe(true);
    expect(withinBudget({ maxDownloads: 2, bytesServed: 2000 }, 1000, 1)).toBe(false);
  });
  it('counts ranges at any offset, so N+1 tail ranges do not fit in N downloads', () => {
    expect(withinBudget({ maxDownloads: 2, bytesServed: 2 * 999 }, 1000, 999)).toBe(false);
  });
  it('treats old links without a byte count as unused, and unlimited links as always within budget', () => {
    expect(withinBudget({ maxDownloads: 1 }, 10, 10)).toBe(true);
    expect(withinBudget({ maxDownloads: null, bytesServed: 1e12 }, 10, 10)).toBe(true);
  });
  it('counts each request for an empty file as one download', () => {
    expect(withinBudget({ maxDownloads: 1, bytesServed: 0 }, 0, 0)).toBe(true);
    expect(withinBudget({ maxDownloads: 1, bytesServed: 1 }, 0, 0)).toBe(false);
  });
});
