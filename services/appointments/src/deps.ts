import type { SQSClient } from '@aws-sdk/client-sqs';
import { type EventPublisher, type IdempotencyStore, RedisIdempotencyStore } from '@medvault/common/bus';
import { platform, type UserServiceDeps } from '@medvault/common/platform';
import { onceSucceeded } from '@medvault/common/retry';
import type { Db } from 'mongodb';
import {
  collections,
  ensureIndexes,
  MongoAppointmentStore,
  MongoAssignmentStore,
  MongoCareEndStore,
  MongoScheduleStore,
  MongoUserDirectory,
} from './adapters/mongo.js';
import type { Config } from './config.js';
import type { AppointmentsPorts } from './domain/ports.js';
import type { ScheduleSettings } from './domain/schedule.js';

export const SERVICE = 'appointments';

/** Everything the appointments service talks to. The only place its clients are constructed. */
export interface Deps extends UserServiceDeps<Config> {
  db: Db;
  sqs: SQSClient;
  queueUrl: string;
  idempotency: IdempotencyStore;
  publisher: EventPublisher;
  /** Injectable clock (tests of the care grace period). */
  now: () => Date;
  /** What the use cases (src/app/) are given: the adapters below, the bus, the clock, the settings. */
  ports: AppointmentsPorts;
  /** The user projection (fed by the consumer). */
  users: MongoUserDirectory;
  /** Idempotent; a failure is retried on the next call instead of being cached. */
  ensureIndexes(): Promise<void>;
}

export function defaultSettings(c: Config): ScheduleSettings {
  return {
    timeZone: c.SCHEDULE_TIMEZONE,
    workStart: c.SCHEDULE_WORK_START,
    workEnd: c.SCHEDULE_WORK_END,
    workDays: c.SCHEDULE_WORK_DAYS.split(',').map(Number),
    minMinutes: c.SCHEDULE_MIN_MINUTES,
    maxMinutes: c.SCHEDULE_MAX_MINUTES,
    slotMinutes: c.SCHEDULE_SLOT_MINUTES,
  };
}

export function buildDeps(config: Config): Deps {
  const p = platform(SERVICE, config);
  const { db } = p.mongo();
  const redis = p.redis();
  const { publisher } = p.publisher();
  const { sqs, queueUrl } = p.queue(config.APPOINTMENTS_QUEUE_NAME);
  // The adapters behind the use cases' ports. The clock reads deps.now at call time: tests move it.
  const c = collections(db);
  const users = new MongoUserDirectory(c.users);
  const ports: AppointmentsPorts = {
    schedules: new MongoScheduleStore(c.revisions, c.settings),
    appointments: new MongoAppointmentStore(c.appointments),
    assignments: new MongoAssignmentStore(c.assignments),
    careEnds: new MongoCareEndStore(c.careEnds),
    users,
    publisher,
    clock: { now: () => deps.now() },
    settings: {
      defaults: defaultSettings(config),
      casRetries: config.BOOKING_CAS_RETRIES,
      graceHours: config.CARE_GRACE_HOURS,
    },
  };
  const deps: Deps = {
    config,
    logger: p.logger,
    checks: p.checks,
    tokenAuth: p.tokenAuth(),
    callers: p.gatewayOnly(),
    db,
    sqs,
    queueUrl,
    idempotency: new RedisIdempotencyStore(redis),
    publisher,
    now: () => new Date(),
    ports,
    users,
    ensureIndexes: onceSucceeded(() => ensureIndexes(c)),
    close: () => p.close(),
  };
  return deps;
}
