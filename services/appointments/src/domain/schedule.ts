import { addDays, localDateOf, minutesOf, weekdayOf, zonedToUtc } from './time.js';

/** When and how a clinician can be booked; defaults come from config, overrides per clinician. */
export interface ScheduleSettings {
  timeZone: string;
  /** Local 'HH:MM'. */
  workStart: string;
  workEnd: string;
  /** 0 = Sunday ... 6 = Saturday. */
  workDays: number[];
  minMinutes: number;
  maxMinutes: number;
  slotMinutes: number;
}

export interface Interval {
  start: Date;
  end: Date;
}

export interface BookedInterval extends Interval {
  appointmentId: string;
}

export interface FieldError {
  field: string;
  message: string;
}

export const overlaps = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;

/** The working window of the clinician's local date, if it is a working day. */
export function workingWindow(s: ScheduleSettings, localDate: string): Interval | undefined {
  if (!s.workDays.includes(weekdayOf(localDate))) return undefined;
  return {
    start: zonedToUtc(localDate, minutesOf(s.workStart), s.timeZone),
    end: zonedToUtc(localDate, minutesOf(s.workEnd), s.timeZone),
  };
}

/** Parses an ISO 8601 instant with an explicit offset (a bare local time is ambiguous). */
export function parseInstant(v: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(v)) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * Every rule a requested interval must satisfy before the overlap check, each failure naming
 * its field: order, future, duration limits, inside one working window.
 */
export function checkInterval(s: ScheduleSettings, iv: Interval, now: Date): FieldError[] {
  const errors: FieldError[] = [];
  if (iv.end <= iv.start) errors.push({ field: 'end', message: 'must be after start' });
  if (iv.start <= now) errors.push({ field: 'start', message: 'must be in the future' });
  if (errors.length > 0) return errors;
  const minutes = (iv.end.getTime() - iv.start.getTime()) / 60_000;
  if (minutes < s.minMinutes)
    errors.push({ field: 'end', message: `appointment must last at least ${s.minMinutes} minutes` });
  if (minutes > s.maxMinutes)
    errors.push({ field: 'end', message: `appointment may last at most ${s.maxMinutes} minutes` });
  const window = workingWindow(s, localDateOf(iv.start, s.timeZone));
  if (!window || iv.start < window.start || iv.end > window.end) {
    errors.push({
      field: 'start',
      message: `outside the clinician's working hours (${s.workStart}-${s.workEnd} ${s.timeZone}, days ${s.workDays.join(',')})`,
    });
  }
  return errors;
}

/**
 * Free slots of one calendar day as the caller sees it (`tz`): slot grid aligned on the start
 * of each working window of the clinician, minus booked intervals and the past.
 */
export function freeSlots(s: ScheduleSettings, date: string, tz: string, booked: Interval[], now: Date): Interval[] {
  const range = { start: zonedToUtc(date, 0, tz), end: zonedToUtc(addDays(date, 1), 0, tz) };
  const step = s.slotMinutes * 60_000;
  const slots: Interval[] = [];
  // The caller's day can straddle two of the clinician's local days.
  for (const d of [addDays(date, -1), date, addDays(date, 1)]) {
    const w = workingWindow(s, d);
    if (!w) continue;
    for (let t = w.start.getTime(); t + step <= w.end.getTime(); t += step) {
      const slot = { start: new Date(t), end: new Date(t + step) };
      if (slot.start < range.start || slot.end > range.end || slot.start <= now) continue;
      if (booked.some((b) => overlaps(b, slot))) continue;
      slots.push(slot);
    }
  }
  return slots.sort((a, b) => a.start.getTime() - b.start.getTime());
}
