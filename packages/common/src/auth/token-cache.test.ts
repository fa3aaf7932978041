import { describe, expect, it } from 'vitest';
import type { Principal } from './principal.js';
import { VerifiedTokenCache } from './token-cache.js';

const now = 1_800_000_000_000;
const principal = (exp = now / 1000 + 600): Principal => ({
  userId: 'usr_1',
  role: 'patient',
  jti: 'j1',
  iat: now / 1000 - 1,
  exp,
});

function live(o: ConstructorParameters<typeof VerifiedTokenCache>[0] = {}) {
  let t = now;
  const c = new VerifiedTokenCache({ now: () => t, ...o });
  c.setLive(true);
  return { c, advance: (ms: number) => (t += ms) };
}

describe('verified token cache', () => {
  it('returns a token verified under the current epoch', () => {
    const { c } = live();
    c.set('tok', principal(), c.epoch);
    expect(c.get('tok')?.userId).toBe('usr_1');
  });

  it('forgets every token once a revocation bumps the epoch', () => {
    const { c } = live();
    c.set('tok', principal(), c.epoch);
    c.invalidate();
    expect(c.get('tok')).toBeUndefined();
  });

  it('does not keep an answer whose check started before a revocation', () => {
    const { c } = live();
    const epoch = c.epoch;
    c.invalidate(); // a revocation pushed while the check ran
    c.set('tok', principal(), epoch);
    expect(c.get('tok')).toBeUndefined();
  });

  it('is off (no hits, nothing kept) while revocations are not received', () => {
    const { c } = live();
    c.set('tok', principal(), c.epoch);
    c.setLive(false);
    expect(c.get('tok')).toBeUndefined();
    c.set('tok', principal(), c.epoch);
    c.setLive(true);
    expect(c.get('tok')).toBeUndefined();
  });

  it('never serves a token past its expiry nor past the cache bound', () => {
    const { c, advance } = live({ maxAgeMs: 10_000 });
    c.set('short', principal(now / 1000 + 5), c.epoch);
    c.set('long', principal(), c.epoch);
    advance(5_000);
    expect(c.get('short')).toBeUndefined();
    expect(c.get('long')).toBeDefined();
    advance(5_000);
    expect(c.get('long')).toBeUndefined();
  });

  it('keeps at most maxEntries tokens, dropping the oldest', () => {
    const { c } = live({ maxEntries: 2 });
    for (const t of ['a', 'b', 'c']) c.set(t, principal(), c.epoch);
    expect(c.size).toBe(2);
    expect(c.get('a')).toBeUndefined();
    expect(c.get('c')).toBeDefined();
  });
});
