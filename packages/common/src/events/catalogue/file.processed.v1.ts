import { Type } from '@sinclair/typebox';
import { Ref, Sha256Hex } from '../envelope.js';

const Text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const Count = Type.Optional(Type.Integer({ minimum: 0 }));

/**
 * The indexed header of a DICOM Part 10 file (CONTRACT "Imaging"). Additive (issue 17): absent
 * for other files. No patient name or id: events carry no PHI; `patientMismatch` says the DICOM
 * patient identity disagrees with the one already seen for this MedVault patient.
 */
export const DicomIndex = Type.Object({
  studyInstanceUid: Text(64),
  seriesInstanceUid: Text(64),
  sopInstanceUid: Text(64),
  modality: Text(16),
  /** ISO date (YYYY-MM-DD) from the DICOM DA value. */
  studyDate: Text(10),
  studyDescription: Text(64),
  bodyPart: Text(16),
  rows: Count,
  columns: Count,
  frames: Count,
  transferSyntaxUid: Text(64),
  /** A study uploaded as one ZIP (issue 17): how many DICOM instances of the study it holds. */
  instances: Count,
  patientMismatch: Type.Optional(Type.Boolean()),
});

export const type = 'file.processed';
export const version = 1;
export const schema = Type.Object({
  fileId: Ref,
  generation: Type.Integer({ minimum: 1 }),
  sha256: Sha256Hex,
  sha256Verified: Type.Boolean(),
  derivatives: Type.Array(
    Type.Object({
      kind: Type.String(),
      bucket: Type.String(),
      key: Type.String(),
      contentType: Type.String(),
      size: Type.Integer({ minimum: 0 }),
      /**
       * SHA-256 of the derivative's plaintext, computed by the producer as it wrote the object
       * (issue 18, additive): files records it instead of reading the derivative back to hash
       * it. Absent in events of producers that predate it (files then measures the object).
       */
      sha256: Type.Optional(Sha256Hex),
    }),
  ),
  dicom: Type.Optional(DicomIndex),
});
