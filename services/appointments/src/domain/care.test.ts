import { describe, expect, it } from 'vitest';
import { careState, confirmsBySelf } from './care.js';

const now = new Date('2031-03-03T12:00:00Z');
const h = (n: number) => new Date(now.getTime() + n * 3600_000);

describe('care relationship rule', () => {
  it('confers nothing without a confirmed appointment or an assignment', () => {
    expect(careState({ confirmedEnds: [], assigned: false }, 2 * 3600_000, now)).toEqual({ inCare: false });
  });

  it('lasts from confirmation until the grace period after the latest confirmed appointment ends', () => {
    expect(careState({ confirmedEnds: [h(24), h(-1)], assigned: false }, 2 * 3600_000, now)).toEqual({
      inCare: true,
      basis: 'appointment',
      recheckAt: h(26),
    });
    expect(careState({ confirmedEnds: [h(-1)], assigned: false }, 2 * 3600_000, now).inCare).toBe(true);
    expect(careState({ confirmedEnds: [h(-2)], assigned: false }, 2 * 3600_000, now).inCare).toBe(false);
  });

  it('keeps an admin assignment open-ended', () => {
    expect(careState({ confirmedEnds: [], assigned: true }, 0, now)).toEqual({ inCare: true, basis: 'assignment' });
  });

  it('lets only the patient confirm by booking', () => {
    expect(confirmsBySelf('usr_p', { patientId: 'usr_p' })).toBe(true);
    expect(confirmsBySelf('usr_c', { patientId: 'usr_p' })).toBe(false);
  });
});
