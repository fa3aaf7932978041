import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { RedisRevocationStore, type RevocationChecker } from '@medvault/common/auth';
import { awsClientConfig, queueUrl } from '@medvault/common/aws';
import {
  type EventPublisher,
  type IdempotencyStore,
  RedisIdempotencyStore,
  SnsEventPublisher,
} from '@medvault/common/bus';
import { createMongo, createRedis, readPem } from '@medvault/common/clients';
import {
  type CallerPolicy,
  type DependencyCheck,
  gatewayOnlyCallers,
  mongoCheck,
  redisCheck,
  snsCheck,
  sqsCheck,
} from '@medvault/common/http';
import { createLogger, type Logger } from '@medvault/common/logger';
import type { Redis } from 'ioredis';
import type { Db, MongoClient } from 'mongodb';
import {
  collections,
  ensureIndexes,
  MongoAppointmentStore,
  MongoAssignmentStore,
  MongoCareEndStore,
  MongoScheduleStore,
  MongoUserDirectory,
} from './adapters/mongo.js';
import { BookingService } from './app/booking.js';
import { CareService } from './app/care-relationships.js';
import type { Config } from './config.js';
import type { AppointmentStore, ScheduleStore } from './domain/ports.js';
import type { ScheduleSettings } from './domain/schedule.js';

export const SERVICE = 'appointments';

/** Everything the appointments service talks to. The only place its clients are constructed. */
export interface Deps {
  config: Config;
  logger: Logger;
  checks: DependencyCheck[];
  jwtPublicKey: string;
  /** Only the gateway may call: the assertion key and where direct hits are recorded. */
  callers: CallerPolicy;
  revocation: RevocationChecker;
  mongo: MongoClient;
  db: Db;
  redis: Redis;
  sns: SNSClient;
  sqs: SQSClient;
  queueUrl: string;
  idempotency: IdempotencyStore;
  publisher: EventPublisher;
  /** Injectable clock (tests of the care grace period). */
  now: () => Date;
  /** Use cases: booking and care relationships, built once on the adapters below. */
  booking: BookingService;
  care: CareService;
  /** The user projection (fed by the consumer). */
  users: MongoUserDirectory;
  /** Ports the routes read directly (availability, listing). */
  schedules: ScheduleStore;
  appointments: AppointmentStore;
  /** Idempotent; a failure is retried on the next call instead of being cached. */
  ensureIndexes(): Promise<void>;
  close(): Promise<void>;
}

/** What the HTTP routes are given: the use cases and the ports they read. */
export type Routed = Pick<Deps, 'booking' | 'care' | 'users' | 'schedules' | 'appointments'>;

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
  const logger = createLogger({ service: SERVICE, level: config.LOG_LEVEL });
  const aws = awsClientConfig(config);
  const { client: mongo, db } = createMongo(config.MONGO_URL, 'medvault-appointments', config.MONGO_DB);
  const redis = createRedis(config.REDIS_URL, 'medvault-appointments');
  const sns = new SNSClient(aws);
  const sqs = new SQSClient(aws);
  const queue = queueUrl(config.QUEUE_URL_BASE, config.APPOINTMENTS_QUEUE_NAME);
  const publisher = new SnsEventPublisher(sns, config.EVENTS_TOPIC_ARN);
  const idempotency = new RedisIdempotencyStore(redis);
  const jwtPublicKey = readPem(
    config.JWT_PUBLIC_KEY,
    config.JWT_PUBLIC_KEY_FILE,
    'JWT public key (JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE)',
  );
  const revocation = new RedisRevocationStore(redis);
  const checks: DependencyCheck[] = [
    mongoCheck(db),
    redisCheck(redis),
    snsCheck(sns, config.EVENTS_TOPIC_ARN),
    sqsCheck(sqs, queue),
  ];
  // Adapters, then the use cases on them. `now` is read through deps at call time: tests move it.
  const c = collections(db);
  const users = new MongoUserDirectory(c.users);
  const appointments = new MongoAppointmentStore(c.appointments);
  const now = () => deps.now();
  const care = new CareService({
    appointments,
    assignments: new MongoAssignmentStore(c.assignments),
    careEnds: new MongoCareEndStore(c.careEnds),
    users,
    publisher,
    graceHours: config.CARE_GRACE_HOURS,
    now,
  });
  const schedules = new MongoScheduleStore(c.revisions, c.settings);
  const booking = new BookingService({
    schedules,
    appointments,
    users,
    care,
    publisher,
    defaults: defaultSettings(config),
    casRetries: config.BOOKING_CAS_RETRIES,
    now,
  });
  let indexes: Promise<void> | undefined;
  const deps: Deps = {
    config,
    logger,
    checks,
    jwtPublicKey,
    callers: gatewayOnlyCallers(config, { jwtPublicKey, denied: (e) => publisher.publish(e) }),
    revocation,
    mongo,
    db,
    redis,
    sns,
    sqs,
    queueUrl: queue,
    idempotency,
    publisher,
    now: () => new Date(),
    booking,
    care,
    users,
    schedules,
    appointments,
    ensureIndexes: () => {
      indexes ??= ensureIndexes(c).catch((err: unknown) => {
        indexes = undefined;
        throw err;
      });
      return indexes;
    },
    close: async () => {
      await Promise.allSettled([
        mongo.close(),
        redis.quit().catch(() => redis.disconnect()),
        Promise.resolve(sns.destroy()),
        Promise.resolve(sqs.destroy()),
      ]);
    },
  };
  return deps;
}
