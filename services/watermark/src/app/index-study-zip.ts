import type { Readable } from 'node:stream';
import { AppError } from '@medvault/common/errors';
import type { DicomIndex } from '../domain/dicom.js';
import { studyIndexOf, type ZipDicomReader } from '../domain/zip-study.js';

export interface ZipDeps {
  zipDicom: ZipDicomReader;
}

/**
 * A study uploaded as one ZIP (issue 17): its DICOM members are indexed as the object streams
 * by (never held whole), so the file is found by study like a DICOM file. A ZIP that cannot be
 * read, or holds no DICOM, stays an ordinary available file without index. `source` is the
 * verifying read (issue 18): the caller publishes the index only once that read matched.
 */
export async function indexStudyZip(
  d: ZipDeps,
  source: Readable,
  warn: (msg: string) => void,
): Promise<DicomIndex | undefined> {
  try {
    return studyIndexOf(await d.zipDicom.indexes(source));
  } catch (e) {
    if (!AppError.is(e) || e.code !== 'UNPROCESSABLE') throw e;
    warn('ZIP members unreadable: not indexed');
    return undefined;
  }
}
