import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'file.rescan_requested';
export const version = 1;
export const schema = Type.Object({
  fileId: Ref,
  bucket: Type.String(),
  key: Type.String(),
  generation: Type.Integer({ minimum: 1 }),
  reason: Type.String({ maxLength: 200 }),
});
