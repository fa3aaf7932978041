import { describe, expect, it } from 'vitest';
import { addressable, audienceOf, needsDirectory, type Person } from './people.js';

const doc = (id: string, name: string): Person => ({ id, name, role: 'clinician' });
const pat = (id: string, name: string): Person => ({ id, name, role: 'patient' });

describe('people picker rules', () => {
  it('gives patients and clinicians an audience and admins and compliance none', () => {
    expect(audienceOf('patient')).toEqual({ care: 'clinician', clinicianDirectory: true });
    expect(audienceOf('clinician')).toEqual({ care: 'patient', clinicianDirectory: true });
    expect(audienceOf('admin')).toBeUndefined();
    expect(audienceOf('compliance')).toBeUndefined();
  });

  it('marks the care team in care, lists each person once, leaves the caller out and sorts by name', () => {
    const out = addressable(
      'usr_me',
      [doc('usr_b', 'Bea')],
      [doc('usr_c', 'Carl'), doc('usr_b', 'Bea'), doc('usr_me', 'Me'), doc('usr_a', 'Ann')],
      {},
    );
    expect(out).toEqual([
      { id: 'usr_a', name: 'Ann', role: 'clinician', inCare: false },
      { id: 'usr_b', name: 'Bea', role: 'clinician', inCare: true },
      { id: 'usr_c', name: 'Carl', role: 'clinician', inCare: false },
    ]);
  });

  it('filters by role and by care', () => {
    const care = [pat('usr_p', 'Pia')];
    const dir = [doc('usr_d', 'Dan')];
    expect(addressable('usr_me', care, dir, { role: 'patient' }).map((p) => p.id)).toEqual(['usr_p']);
    expect(addressable('usr_me', care, dir, { inCare: false }).map((p) => p.id)).toEqual(['usr_d']);
    expect(addressable('usr_me', care, dir, { inCare: true }).map((p) => p.id)).toEqual(['usr_p']);
  });

  it('reads the clinician directory only when the filter can match a clinician outside care', () => {
    const a = { care: 'patient' as const, clinicianDirectory: true };
    expect(needsDirectory(a, {})).toBe(true);
    expect(needsDirectory(a, { inCare: true })).toBe(false);
    expect(needsDirectory(a, { role: 'patient' })).toBe(false);
    expect(needsDirectory(a, { role: 'clinician', inCare: false })).toBe(true);
  });
});
