import { ConfigFields, internalServiceConfigSchema, loadConfig } from '@medvault/common/config';
import { type Static, Type } from '@sinclair/typebox';

const HHMM = '^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$';

/** Everything the appointments service reads from its environment, validated once at start. */
export const ConfigSchema = Type.Object({
  /** Its queue delivers user.created / user.updated for the user projection. */
  ...internalServiceConfigSchema({
    port: ['APPOINTMENTS_PORT', 8084],
    queue: ['APPOINTMENTS_QUEUE_NAME', 'medvault-appointments'],
    database: 'medvault_appointments',
    publishes: true,
  }).properties,
  // Defaults of every clinician's schedule; PUT /v1/clinicians/:id/schedule overrides per clinician.
  SCHEDULE_TIMEZONE: Type.String({ minLength: 1, default: 'UTC' }),
  SCHEDULE_WORK_START: Type.String({ pattern: HHMM, default: '08:00' }),
  SCHEDULE_WORK_END: Type.String({ pattern: HHMM, default: '18:00' }),
  /** Comma-separated weekdays, 0 = Sunday. */
  SCHEDULE_WORK_DAYS: Type.String({ pattern: '^[0-6](,[0-6])*$', default: '1,2,3,4,5' }),
  SCHEDULE_MIN_MINUTES: Type.Integer({ minimum: 1, default: 10 }),
  SCHEDULE_MAX_MINUTES: Type.Integer({ minimum: 1, default: 120 }),
  SCHEDULE_SLOT_MINUTES: Type.Integer({ minimum: 5, default: 30 }),
  /**
   * Hours after a patient-confirmed appointment ends during which the clinician keeps the patient
   * in care (CONTRACT.md); 0 ends it with the appointment. A cancellation ends it at once.
   */
  CARE_GRACE_HOURS: Type.Number({ minimum: 0, default: 24 }),
  CARE_JOB_INTERVAL_SECONDS: ConfigFields.seconds(60),
  /** Compare-and-set attempts on a clinician's schedule before answering 409 "busy". */
  BOOKING_CAS_RETRIES: Type.Integer({ minimum: 1, default: 50 }),
});
export type Config = Static<typeof ConfigSchema>;

export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadConfig(ConfigSchema, env);
}
