import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'care.relationship_started';
export const version = 1;
export const schema = Type.Object({ clinicianId: Ref, patientId: Ref, appointmentId: Type.Optional(Ref) });
