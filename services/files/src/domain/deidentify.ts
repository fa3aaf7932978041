import { AppError } from '@medvault/common/errors';
import type { FileRecord } from './file.js';

/**
 * De-identified copies (issue 17, CONTRACT "Imaging"). The copy is a new file OWNED BY THE
 * REQUESTER (ownerId = patientId = requester), not by the source's patient: it carries no
 * identity, so filing it under the patient would re-link it to them, and the patient's care team
 * would see a research copy as the patient's record. The requester is who may share it onward.
 */

/** Only the roles that hold files ask for copies (admins read no content, compliance no files). */
export const DEIDENTIFY_ROLES = new Set(['clinician', 'patient']);

/**
 * Why a file cannot be de-identified, or null. Only available DICOM whose header the worker
 * could index: the copy is made from the clean bytes, and a header that could not be parsed then
 * cannot be transformed now (refused at once, 422, instead of a copy that never appears).
 */
export function deidentifyRefusal(f: Pick<FileRecord, 'status' | 'contentType' | 'dicom'>): AppError | null {
  if (f.status !== 'available')
    return new AppError('CONFLICT', 'Only an available file can be de-identified', {
      details: { fileStatus: f.status },
    });
  if (f.contentType.split(';')[0]?.trim().toLowerCase() !== 'application/dicom' || !f.dicom)
    return new AppError('UNPROCESSABLE', 'Only DICOM files with a readable header can be de-identified', {
      details: { reason: 'not_dicom' },
    });
  return null;
}

/** The copy's name: never derived from the source's, which may name the patient. */
export const deidentifiedName = (fileId: string) => `deidentified-${fileId}.dcm`;

/**
 * The copy's live key: unique per copy. Two requests for the same source by the same requester
 * give the same bytes (deterministic profile and UIDs); each request still gets its own record,
 * as its 202 promised, instead of one silently answering the other's id.
 */
export const copyLiveKey = (fileId: string) => `copy:${fileId}`;
