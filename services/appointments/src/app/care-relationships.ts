import type { EventPublisher } from '@medvault/common/bus';
import { AppError } from '@medvault/common/errors';
import { type CareState, careState } from '../domain/care.js';
import type {
  AppointmentStore,
  AssignmentStore,
  CareAssignment,
  CareEndStore,
  PendingCareEnd,
  UserDirectory,
} from '../domain/ports.js';
import { emit, type RequestContext } from './emit.js';

export interface CareDeps {
  appointments: AppointmentStore;
  assignments: AssignmentStore;
  careEnds: CareEndStore;
  users: UserDirectory;
  publisher: EventPublisher;
  /** Hours after a confirmed appointment ends during which its care still holds. */
  graceHours: number;
  now: () => Date;
}

/**
 * The care relationship, recomputed from its legitimate sources (patient-confirmed appointments,
 * admin assignments) whenever one of them changes, and published as care.relationship_started /
 * care.relationship_ended for the services that enforce it (files). Never derived from the mere
 * existence of an appointment: a clinician's own booking is not a source.
 */
export class CareService {
  constructor(private readonly d: CareDeps) {}

  /**
   * Recomputes the pair's care and publishes it; schedules a re-check for when the appointment
   * basis lapses. Consumers upsert, so publishing an unchanged state is harmless.
   */
  async sync(pair: PendingCareEnd, ctx: RequestContext | undefined, appointmentId?: string): Promise<CareState> {
    const now = this.d.now();
    const graceMs = this.d.graceHours * 3600_000;
    const [confirmedEnds, assigned] = await Promise.all([
      this.d.appointments.confirmedEnds(pair.clinicianId, pair.patientId, new Date(now.getTime() - graceMs)),
      this.d.assignments.isAssigned(pair),
    ]);
    const state = careState({ confirmedEnds, assigned }, graceMs, now);
    if (state.recheckAt) await this.d.careEnds.schedule(pair, state.recheckAt);
    else await this.d.careEnds.cancel(pair);
    if (state.inCare) {
      const ref = appointmentId && state.basis === 'appointment' ? { appointmentId } : {};
      await emit(this.d.publisher, ctx, 'care.relationship_started', { ...pair, ...ref, basis: state.basis! });
    } else {
      await emit(this.d.publisher, ctx, 'care.relationship_ended', pair);
    }
    return state;
  }

  /** One pass of the job: pairs whose appointment basis lapsed are re-checked (and ended if nothing else holds). */
  async endDue(limit = 50): Promise<number> {
    let ended = 0;
    for (const pair of await this.d.careEnds.claimDue(this.d.now(), 60_000, limit)) {
      if (!(await this.sync(pair, undefined)).inCare) ended++;
    }
    return ended;
  }

  /**
   * Re-publishes the care state of every pair that has an appointment or an assignment, so the
   * consumers' projections drop care granted by the rule this replaced (issue 14 #2: every booking,
   * even a clinician's own, used to start care). Idempotent; run once after deploying.
   */
  async resyncAll(): Promise<{ pairs: number; inCare: number }> {
    const done = new Set<string>();
    let inCare = 0;
    for (const source of [this.d.appointments.pairs(), this.d.assignments.pairs()]) {
      for await (const pair of source) {
        const key = `${pair.clinicianId}:${pair.patientId}`;
        if (done.has(key)) continue;
        done.add(key);
        if ((await this.sync(pair, undefined)).inCare) inCare++;
      }
    }
    return { pairs: done.size, inCare };
  }

  async assign(ctx: RequestContext, pair: PendingCareEnd): Promise<CareAssignment> {
    if (ctx.principal.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an admin assigns care');
    await this.checkPair(pair);
    const a = await this.d.assignments.put({ ...pair, assignedBy: ctx.principal.userId, assignedAt: this.d.now() });
    await this.sync(pair, ctx);
    return a;
  }

  async unassign(ctx: RequestContext, pair: PendingCareEnd): Promise<void> {
    if (ctx.principal.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an admin removes a care assignment');
    if (!(await this.d.assignments.remove(pair))) throw new AppError('NOT_FOUND', 'Assignment not found');
    await this.sync(pair, ctx);
  }

  async list(ctx: RequestContext, clinicianId: string): Promise<CareAssignment[]> {
    const p = ctx.principal;
    if (p.role !== 'admin' && !(p.role === 'clinician' && p.userId === clinicianId))
      throw new AppError('FORBIDDEN', "Only an admin or the clinician may list the clinician's assignments");
    return this.d.assignments.listFor(clinicianId);
  }

  private async checkPair({ clinicianId, patientId }: PendingCareEnd) {
    const [c, p] = await Promise.all([this.d.users.get(clinicianId), this.d.users.get(patientId)]);
    const errors: { field: string; message: string }[] = [];
    if (c?.role !== 'clinician' || !c.active)
      errors.push({ field: 'clinicianId', message: 'unknown or inactive clinician' });
    if (p?.role !== 'patient' || !p.active) errors.push({ field: 'patientId', message: 'unknown or inactive patient' });
    if (errors.length > 0)
      throw new AppError('UNPROCESSABLE', errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
        details: { errors },
      });
  }
}
