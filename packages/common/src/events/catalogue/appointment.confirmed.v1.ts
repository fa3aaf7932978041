import { Type } from '@sinclair/typebox';
import { Iso, Ref } from '../envelope.js';

/** The patient accepted an appointment someone else booked for them (the start of care it confers). */
export const type = 'appointment.confirmed';
export const version = 1;
export const schema = Type.Object({
  appointmentId: Ref,
  clinicianId: Ref,
  patientId: Ref,
  start: Iso,
  end: Iso,
});
