import { createHash } from 'node:crypto';
import type { EventData } from '@medvault/common/events';

/** The indexed DICOM header carried by file.processed and stored on the file record. */
export type DicomIndex = NonNullable<EventData<'file.processed'>['dicom']>;

/** Who the DICOM says the patient is (PHI: never logged, never in an event). */
export interface DicomPatient {
  id?: string;
  name?: string;
  birthDate?: string;
}

export const DICOM_CONTENT_TYPE = 'application/dicom';

/** DICOM Part 10 by content: a 128-byte preamble followed by "DICM" (PS3.10 7.1). */
export function isDicomPart10(head: Buffer): boolean {
  return head.length >= 132 && head.toString('latin1', 128, 132) === 'DICM';
}

export function isDicomType(contentType: string): boolean {
  return contentType.split(';')[0]?.trim().toLowerCase() === DICOM_CONTENT_TYPE;
}

/** DA "YYYYMMDD" → "YYYY-MM-DD"; anything else (empty, ranges, legacy forms) → undefined. */
export function isoDate(da: string | undefined): string | undefined {
  const m = /^(\d{4})\.?(\d{2})\.?(\d{2})$/.exec(da?.trim() ?? '');
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/** Trimmed text within the event's limit, or undefined when empty. */
export function text(v: unknown, max: number): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const s = String(v).replace(/\0/g, '').trim();
  return s ? s.slice(0, max) : undefined;
}

export function count(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number.parseInt(v, 10) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/**
 * A stable fingerprint of the DICOM patient identity: ID, name (case, spacing and empty trailing
 * components ignored: "DOE^JOHN^^" = "Doe^John") and birth date. Undefined when the DICOM names
 * no patient at all (nothing to compare). Stored instead of the identity itself.
 */
export function patientFingerprint(p: DicomPatient): string | undefined {
  const name = (p.name ?? '')
    .split('=')[0]!
    .split('^')
    .map((c) => c.trim().replace(/\s+/g, ' ').toUpperCase())
    .join('^')
    .replace(/\^+$/, '');
  const id = (p.id ?? '').trim().toUpperCase();
  const birth = (p.birthDate ?? '').trim();
  if (!name && !id && !birth) return undefined;
  return createHash('sha256')
    .update(JSON.stringify([id, name, birth]))
    .digest('hex');
}
