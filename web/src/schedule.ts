/** Calendar arithmetic for the clinician's schedule, in the browser's local time. */

export interface Span {
  from: Date;
  to: Date;
}

const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate());
const addDays = (d: Date, n: number) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);

/** Today, from local midnight to the next. */
export const dayOf = (now: Date): Span => ({ from: startOfDay(now), to: addDays(startOfDay(now), 1) });

/** The ISO week (Monday to Sunday) that holds `now`, shifted by `offset` weeks. */
export function weekOf(now: Date, offset = 0): Span {
  const d = startOfDay(now);
  const monday = addDays(d, -((d.getDay() + 6) % 7) + offset * 7);
  return { from: monday, to: addDays(monday, 7) };
}

/** The seven days of a week span, each with the items that start on it (in start order). */
export function byDay<T extends { start: string }>(span: Span, items: T[]): { day: Date; items: T[] }[] {
  const sorted = [...items].sort((a, b) => a.start.localeCompare(b.start));
  const days: { day: Date; items: T[] }[] = [];
  for (let d = span.from; d < span.to; d = addDays(d, 1)) {
    const next = addDays(d, 1);
    days.push({ day: d, items: sorted.filter((i) => new Date(i.start) >= d && new Date(i.start) < next) });
  }
  return days;
}

/** "3 h 12 min left" / "12 min left" / "expired": how long a time-boxed grant still runs. */
export function timeLeft(expiresAt: string, now: Date): string {
  const ms = new Date(expiresAt).getTime() - now.getTime();
  if (ms <= 0) return 'expired';
  const min = Math.ceil(ms / 60_000);
  return min < 60 ? `${min} min left` : `${Math.floor(min / 60)} h ${min % 60} min left`;
}

interface Assignment {
  patientId: string;
}
interface Appointment {
  patientId: string;
  status: string;
  confirmed: boolean;
}

/**
 * The patients a clinician has in care, as far as the console can tell: admin assignments, and
 * booked appointments the patient booked or confirmed (a cancelled or unconfirmed one confers
 * nothing, CONTRACT.md). The files service remains the judge of what may be read.
 */
export function patientsInCare(assignments: Assignment[], appointments: Appointment[]) {
  const out = new Map<string, { patientId: string; via: Set<'assignment' | 'appointment'> }>();
  const add = (patientId: string, via: 'assignment' | 'appointment') => {
    const e = out.get(patientId) ?? { patientId, via: new Set() };
    e.via.add(via);
    out.set(patientId, e);
  };
  for (const a of assignments) add(a.patientId, 'assignment');
  for (const a of appointments) if (a.status === 'booked' && a.confirmed) add(a.patientId, 'appointment');
  return [...out.values()];
}
