import { Type } from '@sinclair/typebox';
import { Ref, Sha256Hex } from '../envelope.js';

export const type = 'file.uploaded';
export const version = 1;
export const schema = Type.Object({
  fileId: Ref,
  ownerId: Ref,
  patientId: Type.Optional(Ref),
  uploadedBy: Ref,
  sha256: Sha256Hex,
  size: Type.Integer({ minimum: 0 }),
  contentType: Type.String(),
  bucket: Type.String(),
  key: Type.String(),
  generation: Type.Integer({ minimum: 1 }),
});
