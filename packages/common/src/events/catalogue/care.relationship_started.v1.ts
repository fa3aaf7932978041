import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

export const type = 'care.relationship_started';
export const version = 1;
/**
 * `basis` (additive): what confers the care — a patient-booked or patient-confirmed appointment,
 * or an admin assignment (CONTRACT.md "Care relationship"). Emitted again when the basis changes.
 */
export const schema = Type.Object({
  clinicianId: Ref,
  patientId: Ref,
  appointmentId: Type.Optional(Ref),
  basis: Type.Optional(Type.Union([Type.Literal('appointment'), Type.Literal('assignment')])),
});
