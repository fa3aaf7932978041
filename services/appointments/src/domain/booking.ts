import { canOnAppointment, type Principal } from '@medvault/common/auth';
import type { EventPublisher } from '@medvault/common/bus';
import { AppError } from '@medvault/common/errors';
import { type Actor, createEvent, type Envelope, type EventData, type EventType } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import type { Appointment, AppointmentStore, CareEndStore, ScheduleStore, UserDirectory } from './ports.js';
import {
  type BookedInterval,
  checkInterval,
  type FieldError,
  type Interval,
  overlaps,
  parseInstant,
  type ScheduleSettings,
} from './schedule.js';

export interface BookingDeps {
  schedules: ScheduleStore;
  appointments: AppointmentStore;
  users: UserDirectory;
  careEnds: CareEndStore;
  publisher: EventPublisher;
  defaults: ScheduleSettings;
  /** Hours between a cancellation that leaves no future appointment and care.relationship_ended (0: at once). */
  careGraceHours: number;
  casRetries: number;
  now: () => Date;
}

export interface RequestContext {
  principal: Principal;
  correlationId: string;
  ip?: string;
  userAgent?: string;
}

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
    await this.d.careEnds.cancel(pair);
    await this.emit(ctx, 'appointment.booked', { appointmentId: id, ...pair, start: iso(iv.start), end: iso(iv.end) });
    await this.emit(ctx, 'care.relationship_started', { ...pair, appointmentId: id });
    return appt;
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
    const updated = await this.d.appointments.reschedule(id, iv.start, iv.end, now);
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
    if ((await this.d.appointments.countFutureBooked(pair.clinicianId, pair.patientId, now)) === 0) {
      if (this.d.careGraceHours === 0) await this.emit(ctx, 'care.relationship_ended', pair);
      else await this.d.careEnds.schedule(pair, new Date(now.getTime() + this.d.careGraceHours * 3600_000));
    }
    return cancelled;
  }

  /** One pass of the grace-period job: ends relationships whose grace expired with no new booking. */
  async endDueRelationships(limit = 50): Promise<number> {
    const now = this.d.now();
    let ended = 0;
    for (const pair of await this.d.careEnds.claimDue(now, 60_000, limit)) {
      if ((await this.d.appointments.countFutureBooked(pair.clinicianId, pair.patientId, now)) === 0) {
        const event = createEvent('care.relationship_ended', pair, {
          correlationId: newId('request'),
          source: 'appointments',
          actor: { userId: 'system', role: 'system' },
        });
        await this.d.publisher.publish(event as unknown as Envelope);
        ended++;
      }
      await this.d.careEnds.done(pair);
    }
    return ended;
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

  private async emit<T extends EventType>(ctx: RequestContext, type: T, data: EventData<T>) {
    const actor: Actor = { userId: ctx.principal.userId, role: ctx.principal.role };
    if (ctx.ip) actor.ip = ctx.ip;
    if (ctx.userAgent) actor.userAgent = ctx.userAgent.slice(0, 512);
    // Envelope<T> is not assignable to the union envelope for a generic T; the value is validated anyway.
    const event = createEvent(type as EventType, data as never, {
      correlationId: ctx.correlationId,
      source: 'appointments',
      actor,
    });
    await this.d.publisher.publish(event as unknown as Envelope);
  }
}

const iso = (d: Date) => d.toISOString();
