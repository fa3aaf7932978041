import type { Appointment } from './api/types';

/** What an appointment means to the patient, in words (colour never carries it alone). */
export function appointmentState(a: Pick<Appointment, 'status' | 'confirmed'>): {
  label: string;
  tone: 'good' | 'pending' | 'neutral';
} {
  if (a.status === 'cancelled') return { label: 'Cancelled', tone: 'neutral' };
  if (!a.confirmed) return { label: 'Awaiting your confirmation', tone: 'pending' };
  return { label: 'Booked', tone: 'good' };
}

const time = (d: Date) => d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** "09:00–09:30" in the browser's time zone. */
export const slotLabel = (s: { start: string; end: string }) => `${time(new Date(s.start))}–${time(new Date(s.end))}`;

/** "Mon 7 Jan 2030, 09:00–09:30". */
export const whenLabel = (a: { start: string; end: string }) =>
  `${new Date(a.start).toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' })}, ${slotLabel(a)}`;

/** YYYY-MM-DD of a day in the browser's time zone (what the availability route asks for). */
export function localDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Only a booked appointment that has not started can still be moved, cancelled or confirmed. */
export const changeable = (a: Pick<Appointment, 'status' | 'start'>, now: Date) =>
  a.status !== 'cancelled' && new Date(a.start).getTime() > now.getTime();
