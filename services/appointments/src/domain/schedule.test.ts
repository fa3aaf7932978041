import { describe, expect, it } from 'vitest';
import { checkInterval, freeSlots, parseInstant, type ScheduleSettings } from './schedule.js';
import { zonedToUtc } from './time.js';

const base: ScheduleSettings = {
  timeZone: 'Europe/Berlin',
  workStart: '09:00',
  workEnd: '12:00',
  workDays: [1, 2, 3, 4, 5],
  minMinutes: 15,
  maxMinutes: 60,
  slotMinutes: 30,
};
const now = new Date('2030-01-01T00:00:00Z');
const at = (iso: string) => new Date(iso);

describe('clinician schedule rules', () => {
  it('converts local wall-clock times to UTC across daylight saving time', () => {
    expect(zonedToUtc('2030-01-07', 9 * 60, 'Europe/Berlin').toISOString()).toBe('2030-01-07T08:00:00.000Z');
    expect(zonedToUtc('2030-07-08', 9 * 60, 'Europe/Berlin').toISOString()).toBe('2030-07-08T07:00:00.000Z');
    expect(zonedToUtc('2030-07-08', 9 * 60, 'America/New_York').toISOString()).toBe('2030-07-08T13:00:00.000Z');
  });

  it('accepts ISO 8601 instants with an offset only', () => {
    expect(parseInstant('2030-01-07T10:00:00+01:00')?.toISOString()).toBe('2030-01-07T09:00:00.000Z');
    expect(parseInstant('2030-01-07T10:00:00')).toBeUndefined();
    expect(parseInstant('tomorrow')).toBeUndefined();
  });

  it('accepts an appointment inside working hours on a working day', () => {
    expect(checkInterval(base, { start: at('2030-01-07T08:00:00Z'), end: at('2030-01-07T08:30:00Z') }, now)).toEqual(
      [],
    );
  });

  it('names the field of each broken rule', () => {
    const fields = (s: string, e: string) => checkInterval(base, { start: at(s), end: at(e) }, now).map((x) => x.field);
    expect(fields('2030-01-07T09:00:00Z', '2030-01-07T08:30:00Z')).toEqual(['end']);
    expect(fields('2029-01-07T08:00:00Z', '2029-01-07T08:30:00Z')).toEqual(['start']);
    expect(fields('2030-01-07T08:00:00Z', '2030-01-07T08:05:00Z')).toEqual(['end']);
    expect(fields('2030-01-07T08:00:00Z', '2030-01-07T09:30:00Z')).toEqual(['end']);
    // 06:00 UTC is 07:00 in Berlin: before opening.
    expect(fields('2030-01-07T06:00:00Z', '2030-01-07T06:30:00Z')).toEqual(['start']);
    // 2030-01-05 is a Saturday.
    expect(fields('2030-01-05T09:00:00Z', '2030-01-05T09:30:00Z')).toEqual(['start']);
  });

  it('lists free slots of a day minus booked intervals', () => {
    const booked = [{ start: at('2030-01-07T08:30:00Z'), end: at('2030-01-07T09:15:00Z') }];
    const slots = freeSlots(base, '2030-01-07', 'Europe/Berlin', booked, now).map((s) => s.start.toISOString());
    expect(slots).toEqual([
      '2030-01-07T08:00:00.000Z',
      '2030-01-07T09:30:00.000Z',
      '2030-01-07T10:00:00.000Z',
      '2030-01-07T10:30:00.000Z',
    ]);
  });

  it("lists the slots of the caller's day when the caller is in another time zone", () => {
    // Tokyo's 2030-01-07 ends at 15:00 UTC: the Berlin morning of the 7th (08:00-11:00 UTC) is inside.
    const tokyo = freeSlots(base, '2030-01-07', 'Asia/Tokyo', [], now);
    expect(tokyo[0]?.start.toISOString()).toBe('2030-01-07T08:00:00.000Z');
    expect(tokyo).toHaveLength(6);
    expect(freeSlots(base, '2030-01-05', 'Europe/Berlin', [], now)).toEqual([]);
  });
});
