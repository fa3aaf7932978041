import { Type } from '@sinclair/typebox';
import { Ref, Sha256Hex } from '../envelope.js';

export const type = 'file.integrity_failed';
export const version = 1;
export const schema = Type.Object({
  fileId: Ref,
  stage: Type.String(),
  expectedSha256: Sha256Hex,
  actualSha256: Type.Optional(Sha256Hex),
  ownerId: Type.Optional(Ref),
  patientId: Type.Optional(Ref),
});
