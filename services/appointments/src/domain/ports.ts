import type { Role } from '@medvault/common/auth';
import type { EventPublisher } from '@medvault/common/bus';
import type { BookedInterval, ScheduleSettings } from './schedule.js';

export type AppointmentStatus = 'booked' | 'cancelled';

export interface Appointment {
  id: string;
  clinicianId: string;
  patientId: string;
  start: Date;
  end: Date;
  /** PHI: returned only to the pair, never logged, never in events. */
  reason?: string;
  status: AppointmentStatus;
  createdBy: string;
  /** Set when the patient booked it or confirmed it: only then does it confer care. */
  confirmedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
  cancelledAt?: Date;
}

/** The per-clinician document every booking change is serialised on (compare-and-set on version). */
export interface ScheduleState {
  version: number;
  booked: BookedInterval[];
  settings?: Partial<ScheduleSettings>;
}

export interface ScheduleStore {
  load(clinicianId: string): Promise<ScheduleState>;
  /** Replaces the booked intervals iff the version is still `expectedVersion`; false when another writer won. */
  compareAndSet(clinicianId: string, expectedVersion: number, booked: BookedInterval[]): Promise<boolean>;
  saveSettings(clinicianId: string, settings: Partial<ScheduleSettings>): Promise<void>;
}

export interface ListQuery {
  clinicianId?: string;
  patientId?: string;
  from?: Date;
  to?: Date;
  status?: AppointmentStatus;
  after?: { start: Date; id: string };
  limit: number;
}

export interface AppointmentStore {
  insert(a: Appointment): Promise<void>;
  remove(id: string): Promise<void>;
  get(id: string): Promise<Appointment | undefined>;
  /** Conditional: only a booked appointment becomes cancelled (undefined when it was not booked). */
  cancel(id: string, at: Date): Promise<Appointment | undefined>;
  /** Conditional: only a booked, unconfirmed appointment becomes confirmed. */
  confirm(id: string, at: Date): Promise<Appointment | undefined>;
  /** `keepConfirmation` false: the change was not the patient's, so their confirmation no longer holds. */
  reschedule(id: string, start: Date, end: Date, at: Date, keepConfirmation: boolean): Promise<Appointment | undefined>;
  /** Ends of the pair's booked, confirmed appointments ending after `after`. */
  confirmedEnds(clinicianId: string, patientId: string, after: Date): Promise<Date[]>;
  /** Every clinician–patient pair that has an appointment, each once. */
  pairs(): AsyncIterable<PendingCareEnd>;
  list(q: ListQuery): Promise<Appointment[]>;
}

export interface UserDirectory {
  get(userId: string): Promise<{ role: Role; active: boolean } | undefined>;
}

export interface PendingCareEnd {
  clinicianId: string;
  patientId: string;
}

export interface CareEndStore {
  schedule(p: PendingCareEnd, dueAt: Date): Promise<void>;
  cancel(p: PendingCareEnd): Promise<void>;
  /** Claims due entries (pushing their due time forward by leaseMs so other instances skip them). */
  claimDue(now: Date, leaseMs: number, limit: number): Promise<PendingCareEnd[]>;
}

export interface CareAssignment {
  clinicianId: string;
  patientId: string;
  assignedBy: string;
  assignedAt: Date;
}

/** Admin-made care assignments, one per pair. */
export interface AssignmentStore {
  /** Idempotent: an existing assignment of the pair is returned unchanged. */
  put(a: CareAssignment): Promise<CareAssignment>;
  remove(p: PendingCareEnd): Promise<boolean>;
  isAssigned(p: PendingCareEnd): Promise<boolean>;
  listFor(clinicianId: string): Promise<CareAssignment[]>;
  pairs(): AsyncIterable<PendingCareEnd>;
}

/** What the appointments use cases are given (built in deps.ts): the stores, the bus, a clock, settings. */
export interface AppointmentsPorts {
  schedules: ScheduleStore;
  appointments: AppointmentStore;
  assignments: AssignmentStore;
  careEnds: CareEndStore;
  users: UserDirectory;
  publisher: EventPublisher;
  /** Read at call time: tests move it (care grace period). */
  clock: { now(): Date };
  settings: {
    /** A clinician's schedule settings where they set none. */
    defaults: ScheduleSettings;
    /** Attempts of the schedule compare-and-set before 409 CONFLICT (retryable). */
    casRetries: number;
    /** Hours after a confirmed appointment ends during which its care still holds. */
    graceHours: number;
  };
}
