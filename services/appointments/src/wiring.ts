import type { Deps } from './deps.js';
import { BookingService } from './domain/booking.js';
import { CareService } from './domain/care-service.js';
import type { ScheduleSettings } from './domain/schedule.js';
import {
  collections,
  ensureIndexes,
  MongoAppointmentStore,
  MongoAssignmentStore,
  MongoCareEndStore,
  MongoScheduleStore,
  MongoUserDirectory,
} from './store/mongo.js';

export function defaultSettings(c: Deps['config']): ScheduleSettings {
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

/** Wires the domain to its Mongo adapters (memoised per deps: app, consumer and job share it). */
const cache = new WeakMap<Deps, ReturnType<typeof make>>();

function make(deps: Deps) {
  const c = collections(deps.db);
  const users = new MongoUserDirectory(c.users);
  const schedules = new MongoScheduleStore(c.revisions, c.settings);
  const appointments = new MongoAppointmentStore(c.appointments);
  const care = new CareService({
    appointments,
    assignments: new MongoAssignmentStore(c.assignments),
    careEnds: new MongoCareEndStore(c.careEnds),
    users,
    publisher: deps.publisher,
    graceHours: deps.config.CARE_GRACE_HOURS,
    now: () => deps.now(),
  });
  const booking = new BookingService({
    schedules,
    appointments,
    users,
    care,
    publisher: deps.publisher,
    defaults: defaultSettings(deps.config),
    casRetries: deps.config.BOOKING_CAS_RETRIES,
    now: () => deps.now(),
  });
  let indexes: Promise<void> | undefined;
  return {
    booking,
    care,
    users,
    appointments,
    schedules,
    /** Idempotent; failures are retried on the next call instead of being cached. */
    ensureIndexes: () => {
      indexes ??= ensureIndexes(c).catch((err) => {
        indexes = undefined;
        throw err;
      });
      return indexes;
    },
  };
}

export function wire(deps: Deps) {
  let w = cache.get(deps);
  if (!w) {
    w = make(deps);
    cache.set(deps, w);
  }
  return w;
}
