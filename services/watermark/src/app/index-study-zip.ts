import { AppError } from '@medvault/common/errors';
import type { DicomIndex } from '../domain/dicom.js';
import type { ObjectOpener } from '../domain/ports.js';
import { studyIndexOf, type ZipDicomReader } from '../domain/zip-study.js';

export interface ZipDeps {
  opener: ObjectOpener;
  zipDicom: ZipDicomReader;
}

/**
 * A study uploaded as one ZIP (issue 17): its DICOM members are indexed as the verified object
 * streams by once more (never held whole), so the file is found by study like a DICOM file. A
 * ZIP that cannot be read, or holds no DICOM, stays an ordinary available file without index.
 */
export async function indexStudyZip(
  d: ZipDeps,
  ref: { bucket: string; key: string; fileId: string; ownerId: string },
  warn: (msg: string) => void,
): Promise<DicomIndex | undefined> {
  try {
    return studyIndexOf(await d.zipDicom.indexes(await d.opener.open(ref)));
  } catch (e) {
    if (!AppError.is(e) || e.code !== 'UNPROCESSABLE') throw e;
    warn('ZIP members unreadable: not indexed');
    return undefined;
  }
}
