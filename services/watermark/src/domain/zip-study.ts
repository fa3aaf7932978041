import type { Readable } from 'node:stream';
import type { DicomIndex } from './dicom.js';

/** Reads the indexed DICOM headers of the members of a ZIP (an adapter; AppError UNPROCESSABLE if unreadable). */
export interface ZipDicomReader {
  indexes(source: Readable): Promise<DicomIndex[]>;
}

/**
 * The index of a study uploaded as one ZIP (issue 17): the study of its DICOM members (the one
 * most of them belong to), searchable like a single DICOM file, with the number of instances.
 * Series and instance UIDs are left out when the members have several. Undefined: no DICOM member.
 */
export function studyIndexOf(members: DicomIndex[]): DicomIndex | undefined {
  const withStudy = members.filter((m) => m.studyInstanceUid);
  if (!withStudy.length) return undefined;
  const tally = new Map<string, number>();
  for (const m of withStudy) tally.set(m.studyInstanceUid!, (tally.get(m.studyInstanceUid!) ?? 0) + 1);
  const study = [...tally.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  const ofStudy = withStudy.filter((m) => m.studyInstanceUid === study);
  const lead = ofStudy[0]!;
  const one = (key: 'seriesInstanceUid' | 'sopInstanceUid') =>
    new Set(ofStudy.map((m) => m[key])).size === 1 && lead[key] ? { [key]: lead[key] } : {};
  const out: DicomIndex = {
    studyInstanceUid: study,
    ...one('seriesInstanceUid'),
    ...one('sopInstanceUid'),
    ...(lead.modality ? { modality: lead.modality } : {}),
    ...(lead.studyDate ? { studyDate: lead.studyDate } : {}),
    ...(lead.studyDescription ? { studyDescription: lead.studyDescription } : {}),
    ...(lead.bodyPart ? { bodyPart: lead.bodyPart } : {}),
    instances: ofStudy.length,
  };
  return out;
}
