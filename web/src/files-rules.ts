import type { FileItem } from './api/types';

const DAY_MS = 86_400_000;

/**
 * Days left before a file in the trash is purged for good, counting a started day as a day
 * (just deleted: 30; 6 hours to go: 1); 0 once the purge is due.
 */
export function daysLeft(purgeAfter: string | undefined, now: Date): number | undefined {
  if (!purgeAfter) return undefined;
  const ms = new Date(purgeAfter).getTime() - now.getTime();
  return Number.isNaN(ms) ? undefined : Math.max(0, Math.ceil(ms / DAY_MS));
}

export const daysLeftText = (d: number | undefined) =>
  d === undefined ? 'unknown' : d === 0 ? 'due for purge' : d === 1 ? '1 day left' : `${d} days left`;

/**
 * A file the console can show as an image: a DICOM file's preview PNG, or an image's watermarked
 * rendition (the only form in which an image is ever served). Both carry the visible watermark.
 */
export const previewOf = (f: Pick<FileItem, 'status' | 'contentType' | 'hasPreview' | 'hasWatermarkedRendition'>) =>
  f.status !== 'available'
    ? null
    : f.hasPreview
      ? ('preview' as const)
      : f.contentType.startsWith('image/') && f.hasWatermarkedRendition
        ? ('image' as const)
        : null;

/** Whether a share still lets the clinician in. */
export const shareActive = (s: { expiresAt?: string }, now: Date) =>
  !s.expiresAt || new Date(s.expiresAt).getTime() > now.getTime();
