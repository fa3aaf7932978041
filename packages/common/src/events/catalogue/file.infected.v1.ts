import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'file.infected';
export const version = 1;
export const schema = Type.Object({
  fileId: Ref,
  ownerId: Ref,
  uploadedBy: Type.Optional(Ref),
  patientId: Type.Optional(Ref),
  signatures: Type.Array(Type.String()),
  previousStatus: Type.Optional(Type.String()),
  /** True when a rescan found an infection in a file that had been scanned clean (and maybe served). */
  foundOnRescan: Type.Optional(Type.Boolean()),
});
