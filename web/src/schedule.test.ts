import { describe, expect, it } from 'vitest';
import { byDay, dayOf, patientsInCare, timeLeft, weekOf } from './schedule';

describe('the clinician schedule', () => {
  it('takes the week of a Wednesday from its Monday to the next Monday', () => {
    const w = weekOf(new Date(2026, 11, 2, 15, 30)); // Wed 2 Dec 2026
    expect(w.from).toEqual(new Date(2026, 10, 30));
    expect(w.to).toEqual(new Date(2026, 11, 7));
  });

  it('takes a Sunday as the last day of its week, and shifts by whole weeks', () => {
    expect(weekOf(new Date(2026, 11, 6, 23)).from).toEqual(new Date(2026, 10, 30));
    expect(weekOf(new Date(2026, 11, 6), 1).from).toEqual(new Date(2026, 11, 7));
  });

  it('takes today from local midnight to the next', () => {
    const d = dayOf(new Date(2026, 11, 2, 9, 15));
    expect([d.from, d.to]).toEqual([new Date(2026, 11, 2), new Date(2026, 11, 3)]);
  });

  it('puts each appointment on the day it starts, in start order', () => {
    const w = weekOf(new Date(2026, 11, 2));
    const at = (day: number, h: number) => ({ start: new Date(2026, 11, day, h).toISOString() });
    const days = byDay(w, [at(2, 14), at(2, 9), at(4, 10)]);
    expect(days).toHaveLength(7);
    expect(days[2]?.items.map((i) => new Date(i.start).getHours())).toEqual([9, 14]);
    expect(days[4]?.items).toHaveLength(1);
    expect(days[0]?.items).toHaveLength(0);
  });
});

describe('break-glass time left', () => {
  const now = new Date('2026-12-01T10:00:00Z');
  it('counts the minutes a grant still runs, rounding up', () => {
    expect(timeLeft('2026-12-01T10:44:30Z', now)).toBe('45 min left');
    expect(timeLeft('2026-12-01T12:15:00Z', now)).toBe('2 h 15 min left');
  });
  it('says a grant past its end is expired', () => {
    expect(timeLeft('2026-12-01T09:59:59Z', now)).toBe('expired');
  });
});

describe('patients in care', () => {
  it('counts admin assignments and confirmed booked appointments, once per patient', () => {
    const r = patientsInCare(
      [{ patientId: 'a' }],
      [
        { patientId: 'a', status: 'booked', confirmed: true },
        { patientId: 'b', status: 'booked', confirmed: true },
      ],
    );
    expect(r.map((p) => [p.patientId, [...p.via]])).toEqual([
      ['a', ['assignment', 'appointment']],
      ['b', ['appointment']],
    ]);
  });

  it('gives nothing for a cancelled or unconfirmed appointment', () => {
    const r = patientsInCare(
      [],
      [
        { patientId: 'c', status: 'cancelled', confirmed: true },
        { patientId: 'd', status: 'booked', confirmed: false },
      ],
    );
    expect(r).toEqual([]);
  });
});
