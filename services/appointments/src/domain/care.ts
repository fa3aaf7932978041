/**
 * CONTRACT.md "Care relationship", as a pure rule: a clinician has a patient in care only through
 * something the clinician cannot create alone —
 *  - an appointment the patient booked or confirmed (`confirmedAt` set, still `booked`), from the
 *    confirmation until `graceMs` after it ends; a cancelled or unconfirmed one confers nothing;
 *  - an assignment made by an admin (until an admin removes it).
 * A clinician's own booking is a proposal: it holds the slot, it grants nothing.
 */

export interface CareFacts {
  /** Ends of the pair's booked, patient-confirmed appointments. */
  confirmedEnds: Date[];
  assigned: boolean;
}

export interface CareState {
  inCare: boolean;
  basis?: 'appointment' | 'assignment';
  /** When the appointment basis lapses and the pair must be looked at again. */
  recheckAt?: Date;
}

export function careState(f: CareFacts, graceMs: number, now: Date): CareState {
  const until = f.confirmedEnds.reduce((max, end) => Math.max(max, end.getTime() + graceMs), Number.NEGATIVE_INFINITY);
  const byAppointment = until > now.getTime();
  if (f.assigned)
    return { inCare: true, basis: 'assignment', ...(byAppointment ? { recheckAt: new Date(until) } : {}) };
  if (byAppointment) return { inCare: true, basis: 'appointment', recheckAt: new Date(until) };
  return { inCare: false };
}

/** Whether this caller booking makes the appointment confirmed from the start: only the patient. */
export const confirmsBySelf = (callerId: string, appt: { patientId: string }) => callerId === appt.patientId;
