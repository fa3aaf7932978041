import { Type } from '@sinclair/typebox';
import { Ref, Sha256Hex } from '../envelope.js';

/**
 * A de-identified copy (DICOM PS3.15 Basic Profile) was written, encrypted, to quarantine. Emitted
 * by the watermark worker; files records it as a new quarantined file (scanned like any upload).
 * Ids, the digest and size of the copy and where it lies: no PHI, no DICOM attribute values.
 */
export const type = 'file.deidentified';
export const version = 1;
export const schema = Type.Object({
  fileId: Ref,
  sourceFileId: Ref,
  ownerId: Ref,
  requestedBy: Ref,
  sha256: Sha256Hex,
  size: Type.Integer({ minimum: 0 }),
  bucket: Type.String(),
  key: Type.String(),
  /** The profile and the edition of its table, e.g. "basic" and "2021b". */
  profile: Type.String({ maxLength: 32 }),
  edition: Type.String({ maxLength: 16 }),
});
