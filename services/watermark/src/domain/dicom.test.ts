import { describe, expect, it } from 'vitest';
import { isDicomPart10, isoDate, patientFingerprint } from './dicom.js';

describe('DICOM recognition and identity', () => {
  it('recognises Part 10 by the DICM marker after the 128-byte preamble, not by a leading DICM', () => {
    const p10 = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM')]);
    expect(isDicomPart10(p10)).toBe(true);
    expect(isDicomPart10(Buffer.from('DICM'.padEnd(132, ' ')))).toBe(false);
    expect(isDicomPart10(p10.subarray(0, 131))).toBe(false);
  });

  it('turns DA values into ISO dates and ignores what is not a single date', () => {
    expect(isoDate('20040119')).toBe('2004-01-19');
    expect(isoDate('2004.01.19')).toBe('2004-01-19');
    expect(isoDate('20040119-20040120')).toBeUndefined();
    expect(isoDate('')).toBeUndefined();
  });

  it('gives the same fingerprint to the same patient written differently and another to a different one', () => {
    const a = patientFingerprint({ id: 'mrn-1', name: 'Doe^John^^', birthDate: '19700101' });
    expect(patientFingerprint({ id: 'MRN-1 ', name: ' DOE^JOHN', birthDate: '19700101' })).toBe(a);
    expect(patientFingerprint({ id: 'MRN-2', name: 'Doe^John', birthDate: '19700101' })).not.toBe(a);
    expect(patientFingerprint({ id: 'MRN-1', name: 'Roe^Jane', birthDate: '19700101' })).not.toBe(a);
    expect(patientFingerprint({})).toBeUndefined();
  });
});
