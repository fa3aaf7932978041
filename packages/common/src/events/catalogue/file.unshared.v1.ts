import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'file.unshared';
export const version = 1;
export const schema = Type.Object({ fileId: Ref, ownerId: Ref, patientId: Type.Optional(Ref), userId: Ref });
