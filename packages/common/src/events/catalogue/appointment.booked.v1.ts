import { Type } from '@sinclair/typebox';
import { Iso, Ref } from '../envelope.js';

export const type = 'appointment.booked';
export const version = 1;
export const schema = Type.Object({
  appointmentId: Ref,
  clinicianId: Ref,
  patientId: Ref,
  start: Iso,
  end: Iso,
});
