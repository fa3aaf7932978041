import { Type } from '@sinclair/typebox';
import { Ref, Sha256Hex } from '../envelope.js';

/**
 * A de-identified copy of an available DICOM file was asked for (POST /v1/files/:id/deidentify,
 * issue 17). Emitted by files, consumed by the watermark worker, which writes the copy. Ids and
 * the source's object location only: no PHI.
 */
export const type = 'file.deidentify_requested';
export const version = 1;
export const schema = Type.Object({
  /** The id the new file will have (answered to the requester with the 202). */
  fileId: Ref,
  sourceFileId: Ref,
  /** The source's owner: its object is encrypted under {fileId, ownerId} of the source. */
  sourceOwnerId: Ref,
  /** The new file's owner: the requester. */
  ownerId: Ref,
  requestedBy: Ref,
  /** The source's clean object and the digest recorded at its upload (verified before use). */
  bucket: Type.String(),
  key: Type.String(),
  sha256: Sha256Hex,
  generation: Type.Integer({ minimum: 1 }),
});
