import { canOnAppointment } from '@medvault/common/auth';
import type { EventPublisher } from '@medvault/common/bus';
import { AppError } from '@medvault/common/errors';
import type { EventData, EventType } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import { confirmsBySelf } from '../domain/care.js';
import type { Appointment, AppointmentStore, ScheduleStore, UserDirectory } from '../domain/ports.js';
import {
  type BookedInterval,
  checkInterval,
  type FieldError,
  type Interval,
  overlaps,
  parseInstant,
  type ScheduleSettings,
} from '../domain/schedule.js';
import type { CareService } from './care-relationships.js';
import { emit, type RequestContext } from './emit.js';

export interface BookingDeps {
  schedules: ScheduleStore;
  appointments: AppointmentStore;
  users: UserDirectory;
  care: CareService;
  publisher: EventPublisher;
  defaults: ScheduleSettings;
  casRetries: number;
  now: () => Date;
}

export type { RequestContext };

const invalid = (errors: FieldError[]) =>
  new AppError('VALIDATION_FAILED', errors.map((e) => `${e.field} ${e.message}`).join('; '), { details: { errors } });

// Intervals that ended more than a day ago no longer matter for overlaps: keep the document small.
const PRUNE_MS = 24 * 3600_000;

export class BookingService {
  constructor(private readonly d: BookingDeps) {}

  async settingsFor(clinicianId: string): Promise<ScheduleSettings> {
    const state = await this.d.schedules.load(clinicianId);
    return { ...this.d.defaults, ...state.settings };
  }

  parseInterval(start: string, end: string): Interval {
    const s = parseInstant(start);
    const e = parseInstant(end);
    const errors: FieldError[] = [];
    if (!s) errors.push({ field: 'start', message: 'must be an ISO 8601 date-time with an offset' });
    if (!e) errors.push({ field: 'end', message: 'must be an ISO 8601 date-time with an offset' });
    if (errors.length > 0) throw invalid(errors);
    return { start: s!, end: e! };
  }

  async book(
    ctx: RequestContext,
    input: { clinicianId: string; patientId: string; start: string; end: string; reason?: string },
  ) {
    const decision = canOnAppointment(ctx.principal, 'appointment:book', input);
    if (!decision.allowed) {
      const field = ctx.principal.role === 'clinician' ? 'clinicianId' : 'patientId';
      throw new AppError('FORBIDDEN', `You may not book this appointment: ${decision.reason}`, {
        details: { errors: [{ field, message: decision.reason }] },
      });
    }
    const iv = this.parseInterval(input.start, input.end);
    await this.checkParties(input.clinicianId, input.patientId);
    const now = this.d.now();
    const errors = checkInterval(await this.settingsFor(input.clinicianId), iv, now);
    if (errors.length > 0) throw invalid(errors);

    const id = newId('appointment');
    await this.withSchedule(input.clinicianId, (booked) => {
      if (booked.some((b) => overlaps(b, iv))) return undefined;
      return [...booked, { appointmentId: id, ...iv }];
    });
    const appt: Appointment = {
      id,
      clinicianId: input.clinicianId,
      patientId: input.patientId,
      start: iv.start,
      end: iv.end,
      ...(input.reason ? { reason: input.reason } : {}),
      status: 'booked',
      createdBy: ctx.principal.userId,
      // Booked by the patient: confirmed from the start. By anyone else: a proposal the patient confirms.
      ...(confirmsBySelf(ctx.principal.userId, input) ? { confirmedAt: now } : {}),
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.d.appointments.insert(appt);
    } catch (err) {
      // Give the slot back: the schedule must not keep an interval without an appointment.
      await this.withSchedule(input.clinicianId, (booked) => booked.filter((b) => b.appointmentId !== id)).catch(
        () => undefined,
      );
      throw err;
    }
    const pair = { clinicianId: appt.clinicianId, patientId: appt.patientId };
    await this.emit(ctx, 'appointment.booked', { appointmentId: id, ...pair, start: iso(iv.start), end: iso(iv.end) });
    if (appt.confirmedAt) await this.d.care.sync(pair, ctx, id);
    return appt;
  }

  /** The patient accepts an appointment someone else booked for them: from now on it confers care. */
  async confirm(ctx: RequestContext, id: string): Promise<Appointment> {
    const appt = await this.get(ctx, id);
    if (!confirmsBySelf(ctx.principal.userId, appt))
      throw new AppError('FORBIDDEN', 'Only the patient may confirm an appointment');
    if (appt.status !== 'booked') throw new AppError('CONFLICT', 'A cancelled appointment cannot be confirmed');
    if (appt.confirmedAt) return appt; // idempotent: no second event
    const now = this.d.now();
    if (appt.end <= now) throw new AppError('CONFLICT', 'An appointment that has ended cannot be confirmed');
    const confirmed = await this.d.appointments.confirm(id, now);
    if (!confirmed) return this.get(ctx, id); // cancelled or confirmed meanwhile
    const pair = { clinicianId: appt.clinicianId, patientId: appt.patientId };
    await this.emit(ctx, 'appointment.confirmed', {
      appointmentId: id,
      ...pair,
      start: iso(confirmed.start),
      end: iso(confirmed.end),
    });
    await this.d.care.sync(pair, ctx, id);
    return confirmed;
  }

  async get(ctx: RequestContext, id: string): Promise<Appointment> {
    const appt = await this.d.appointments.get(id);
    if (!appt || !canOnAppointment(ctx.principal, 'appointment:read', appt).allowed) {
      // 404 for others' appointments too: an id must not reveal that an appointment exists.
      throw new AppError('NOT_FOUND', 'Appointment not found');
    }
    return appt;
  }

  async reschedule(ctx: RequestContext, id: string, input: { start: string; end: string }) {
    const appt = await this.get(ctx, id);
    if (!canOnAppointment(ctx.principal, 'appointment:modify', appt).allowed)
      throw new AppError('FORBIDDEN', 'You may not modify this appointment');
    if (appt.status !== 'booked') throw new AppError('CONFLICT', 'Only a booked appointment can be rescheduled');
    const iv = this.parseInterval(input.start, input.end);
    const now = this.d.now();
    if (appt.start <= now) throw new AppError('CONFLICT', 'An appointment that has started cannot be rescheduled');
    const errors = checkInterval(await this.settingsFor(appt.clinicianId), iv, now);
    if (errors.length > 0) throw invalid(errors);
    await this.withSchedule(appt.clinicianId, (booked) => {
      const current = booked.find((b) => b.appointmentId === id);
      // Another reschedule or cancel of this appointment won the race: do not overwrite it.
      if (
        !current ||
        current.start.getTime() !== appt.start.getTime() ||
        current.end.getTime() !== appt.end.getTime()
      ) {
        throw new AppError('CONFLICT', 'The appointment was changed meanwhile, please reload');
      }
      const others = booked.filter((b) => b.appointmentId !== id);
      if (others.some((b) => overlaps(b, iv))) return undefined;
      return [...others, { appointmentId: id, ...iv }];
    });
    // Only the patient's own move keeps their confirmation: otherwise the clinician could stretch
    // the care a confirmation gives to any date they like.
    const keep = confirmsBySelf(ctx.principal.userId, appt);
    const updated = await this.d.appointments.reschedule(id, iv.start, iv.end, now, keep);
    if (!updated) throw new AppError('CONFLICT', 'The appointment was cancelled meanwhile');
    await this.emit(ctx, 'appointment.rescheduled', {
      appointmentId: id,
      clinicianId: appt.clinicianId,
      patientId: appt.patientId,
      start: iso(iv.start),
      end: iso(iv.end),
      previousStart: iso(appt.start),
      previousEnd: iso(appt.end),
    });
    if (appt.confirmedAt) await this.d.care.sync({ clinicianId: appt.clinicianId, patientId: appt.patientId }, ctx, id);
    return updated;
  }

  async cancel(ctx: RequestContext, id: string) {
    const appt = await this.get(ctx, id);
    if (!canOnAppointment(ctx.principal, 'appointment:modify', appt).allowed)
      throw new AppError('FORBIDDEN', 'You may not modify this appointment');
    if (appt.status !== 'booked') return appt; // idempotent: no second event
    const now = this.d.now();
    // The schedule CAS decides which of several concurrent cancels wins: only the one that
    // removed the interval goes on, so the cancellation is emitted once.
    const removed = await this.withSchedule(appt.clinicianId, (booked) =>
      booked.some((b) => b.appointmentId === id) ? booked.filter((b) => b.appointmentId !== id) : null,
    );
    const cancelled = (await this.d.appointments.cancel(id, now)) ?? (await this.get(ctx, id));
    if (!removed) return cancelled;
    const pair = { clinicianId: appt.clinicianId, patientId: appt.patientId };
    await this.emit(ctx, 'appointment.cancelled', {
      appointmentId: id,
      ...pair,
      start: iso(appt.start),
      end: iso(appt.end),
    });
    // A cancelled appointment confers nothing (CONTRACT.md): care ends now unless another source holds.
    if (appt.confirmedAt) await this.d.care.sync(pair, ctx);
    return cancelled;
  }

  /** One pass of the care job: ends relationships whose appointment (plus grace) is over. */
  endDueRelationships(limit = 50): Promise<number> {
    return this.d.care.endDue(limit);
  }

  private async checkParties(clinicianId: string, patientId: string) {
    const [c, p] = await Promise.all([this.d.users.get(clinicianId), this.d.users.get(patientId)]);
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

  /**
   * The serialisation point: read the clinician's schedule document, compute the new list of
   * booked intervals, and write it only if nobody else wrote in between (version compare-and-set).
   * A lost race re-reads and re-checks, so two overlapping bookings can never both succeed, on
   * any number of instances, without transactions or locks. `change` returns undefined for
   * "taken" (409 SLOT_TAKEN) and null for "nothing to do" (resolves false).
   */
  private async withSchedule(
    clinicianId: string,
    change: (booked: BookedInterval[]) => BookedInterval[] | undefined | null,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < this.d.casRetries; attempt++) {
      const state = await this.d.schedules.load(clinicianId);
      const horizon = this.d.now().getTime() - PRUNE_MS;
      const next = change(state.booked);
      if (next === null) return false;
      if (!next)
        throw new AppError('SLOT_TAKEN', 'The clinician already has an appointment at that time', {
          details: { errors: [{ field: 'start', message: 'slot taken' }] },
        });
      if (
        await this.d.schedules.compareAndSet(
          clinicianId,
          state.version,
          next.filter((b) => b.end.getTime() > horizon),
        )
      )
        return true;
      await new Promise((r) => setTimeout(r, 2 + Math.random() * 10 * (attempt + 1)));
    }
    throw new AppError('CONFLICT', 'The schedule is busy, please retry', { retryable: true });
  }

  private emit<T extends EventType>(ctx: RequestContext, type: T, data: EventData<T>) {
    return emit(this.d.publisher, ctx, type, data);
  }
}

const iso = (d: Date) => d.toISOString();
