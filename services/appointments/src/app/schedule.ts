import { AppError } from '@medvault/common/errors';
import { compareAndSet, LOST_RACE } from '@medvault/common/retry';
import type { AppointmentsPorts } from '../domain/ports.js';
import {
  type BookedInterval,
  type FieldError,
  type Interval,
  parseInstant,
  type ScheduleSettings,
} from '../domain/schedule.js';

/** Shared steps of the booking and schedule use cases (not a use case itself). */

export const invalid = (errors: FieldError[]) =>
  new AppError('VALIDATION_FAILED', errors.map((e) => `${e.field} ${e.message}`).join('; '), { details: { errors } });

export const iso = (d: Date) => d.toISOString();

// Intervals that ended more than a day ago no longer matter for overlaps: keep the document small.
const PRUNE_MS = 24 * 3600_000;

/** The clinician's schedule settings: their own over the service's defaults. */
export async function settingsFor(ports: AppointmentsPorts, clinicianId: string): Promise<ScheduleSettings> {
  const state = await ports.schedules.load(clinicianId);
  return { ...ports.settings.defaults, ...state.settings };
}

/** The clinician exists and is active (404 otherwise): the schedule use cases start with it. */
export async function requireClinician(ports: AppointmentsPorts, clinicianId: string): Promise<void> {
  const u = await ports.users.get(clinicianId);
  if (u?.role !== 'clinician' || !u.active) throw new AppError('NOT_FOUND', 'Clinician not found');
}

export function parseInterval(start: string, end: string): Interval {
  const s = parseInstant(start);
  const e = parseInstant(end);
  const errors: FieldError[] = [];
  if (!s) errors.push({ field: 'start', message: 'must be an ISO 8601 date-time with an offset' });
  if (!e) errors.push({ field: 'end', message: 'must be an ISO 8601 date-time with an offset' });
  if (!s || !e) throw invalid(errors);
  return { start: s, end: e };
}

/**
 * The serialisation point: read the clinician's schedule document, compute the new list of
 * booked intervals, and write it only if nobody else wrote in between (version compare-and-set).
 * A lost race re-reads and re-checks, so two overlapping bookings can never both succeed, on
 * any number of instances, without transactions or locks. `change` returns undefined for
 * "taken" (409 SLOT_TAKEN) and null for "nothing to do" (resolves false).
 */
export function withSchedule(
  ports: AppointmentsPorts,
  clinicianId: string,
  change: (booked: BookedInterval[]) => BookedInterval[] | undefined | null,
): Promise<boolean> {
  return compareAndSet<boolean>(
    async () => {
      const state = await ports.schedules.load(clinicianId);
      const horizon = ports.clock.now().getTime() - PRUNE_MS;
      const next = change(state.booked);
      if (next === null) return false;
      if (!next)
        throw new AppError('SLOT_TAKEN', 'The clinician already has an appointment at that time', {
          details: { errors: [{ field: 'start', message: 'slot taken' }] },
        });
      const kept = next.filter((b) => b.end.getTime() > horizon);
      return (await ports.schedules.compareAndSet(clinicianId, state.version, kept)) ? true : LOST_RACE;
    },
    // Short jittered waits: the winner's write is already done, the loser only re-reads.
    {
      attempts: ports.settings.casRetries,
      baseMs: 4,
      maxMs: 50,
      jitter: 'full',
      exhausted: () => {
        throw new AppError('CONFLICT', 'The schedule is busy, please retry', { retryable: true });
      },
    },
  );
}

/** The clinician and the patient exist and are active (422 naming the field otherwise). */
export async function checkParties(ports: AppointmentsPorts, clinicianId: string, patientId: string) {
  const [c, p] = await Promise.all([ports.users.get(clinicianId), ports.users.get(patientId)]);
  const errors: FieldError[] = [];
  if (c?.role !== 'clinician' || !c.active)
    errors.push({ field: 'clinicianId', message: 'unknown or inactive clinician' });
  if (p?.role !== 'patient' || !p.active) errors.push({ field: 'patientId', message: 'unknown or inactive patient' });
  if (errors.length > 0) {
    throw new AppError('UNPROCESSABLE', errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
      details: { errors },
    });
  }
}
