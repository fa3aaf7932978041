import { describe, expect, it } from 'vitest';
import { daysLeft, daysLeftText, previewOf, shareActive } from './files-rules';

const now = new Date('2030-01-01T12:00:00Z');
const at = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();

describe('days left in the trash', () => {
  it('says 30 days for a file deleted just now', () => {
    expect(daysLeftText(daysLeft(at(30), now))).toBe('30 days left');
  });

  it('counts a started day as a day, and says when the purge is due', () => {
    expect(daysLeftText(daysLeft(at(0.25), now))).toBe('1 day left');
    expect(daysLeftText(daysLeft(at(-1), now))).toBe('due for purge');
  });

  it('says it does not know when there is no purge date', () => {
    expect(daysLeftText(daysLeft(undefined, now))).toBe('unknown');
  });
});

describe('which files can be previewed', () => {
  const base = {
    status: 'available' as const,
    contentType: 'image/png',
    hasPreview: false,
    hasWatermarkedRendition: true,
  };
  it('previews an available image through its watermarked rendition', () => {
    expect(previewOf(base)).toBe('image');
  });

  it('never previews an image without its watermarked rendition, nor one not available', () => {
    expect(previewOf({ ...base, hasWatermarkedRendition: false })).toBeNull();
    expect(previewOf({ ...base, status: 'quarantined' })).toBeNull();
  });

  it('previews a DICOM file through its preview route', () => {
    expect(previewOf({ ...base, contentType: 'application/dicom', hasPreview: true })).toBe('preview');
  });
});

describe('share expiry', () => {
  it('keeps a share without expiry, and one until a later date, active; not an expired one', () => {
    expect(shareActive({}, now)).toBe(true);
    expect(shareActive({ expiresAt: at(1) }, now)).toBe(true);
    expect(shareActive({ expiresAt: at(-1) }, now)).toBe(false);
  });
});
