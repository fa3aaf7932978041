import { Type } from '@sinclair/typebox';
import { Ref, Sha256Hex } from '../envelope.js';

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
    }),
  ),
});
