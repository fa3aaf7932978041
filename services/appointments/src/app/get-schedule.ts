import type { AppointmentsPorts } from '../domain/ports.js';
import type { ScheduleSettings } from '../domain/schedule.js';
import { requireClinician, settingsFor } from './schedule.js';

/** GET /v1/clinicians/:id/schedule: the clinician's settings (their own over the defaults). */
export async function getSchedule(ports: AppointmentsPorts, clinicianId: string): Promise<ScheduleSettings> {
  await requireClinician(ports, clinicianId);
  return settingsFor(ports, clinicianId);
}
