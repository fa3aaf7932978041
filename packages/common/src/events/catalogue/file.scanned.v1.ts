import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'file.scanned';
export const version = 1;
export const schema = Type.Object({
  fileId: Ref,
  generation: Type.Integer({ minimum: 1 }),
  verdict: Type.Union([Type.Literal('clean'), Type.Literal('infected'), Type.Literal('error')]),
  signatures: Type.Array(Type.String()),
  engine: Type.String(),
  databaseVersion: Type.String(),
  databaseDate: Type.Optional(Type.String()),
  durationMs: Type.Number({ minimum: 0 }),
  error: Type.Optional(Type.String({ maxLength: 500 })),
  final: Type.Optional(Type.Boolean()),
});
