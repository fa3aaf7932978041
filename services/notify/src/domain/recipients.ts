import type { Role } from '@medvault/common/auth';
import type { Envelope } from '@medvault/common/events';

/** Port: the notify service's projection of the user directory. */
export interface Directory {
  idsWithRole(role: Role): Promise<string[]>;
  isInactive(userId: string): Promise<boolean>;
}

const defined = (xs: (string | undefined)[]) => xs.filter((x): x is string => Boolean(x));

/**
 * Who hears about an event: the people it concerns, plus admins for security incidents and
 * compliance for break-glass access. Deduplicated; known-inactive users are dropped.
 */
export async function recipientsOf(event: Envelope, dir: Directory): Promise<string[]> {
  const d = event.data as Record<string, string | undefined>;
  let ids: string[];
  switch (event.type) {
    case 'file.available':
      ids = defined([d.ownerId, d.uploadedBy, d.patientId]);
      break;
    case 'file.scan_failed':
      ids = defined([d.uploadedBy ?? d.ownerId]);
      break;
    case 'file.infected':
      // A first scan blocks the file before anyone but the uploader knew it; a rescan withdraws a
      // file its owner and patient may already have opened, so they hear of it too.
      ids = (event.data as { foundOnRescan?: boolean }).foundOnRescan
        ? [...defined([d.ownerId, d.uploadedBy, d.patientId]), ...(await dir.idsWithRole('admin'))]
        : [...defined([d.uploadedBy ?? d.ownerId]), ...(await dir.idsWithRole('admin'))];
      break;
    case 'file.integrity_failed':
      ids = await dir.idsWithRole('admin');
      break;
    case 'file.shared':
      ids = defined([d.sharedWith]);
      break;
    case 'appointment.booked':
    case 'appointment.rescheduled':
    case 'appointment.cancelled':
      ids = defined([d.clinicianId, d.patientId]);
      break;
    case 'chat.message_sent':
      // Only participants with no open chat stream: the others saw the message live.
      ids = (event.data as { offlineRecipientIds?: string[] }).offlineRecipientIds ?? [];
      break;
    case 'access.emergency_granted':
      ids = await dir.idsWithRole('compliance');
      break;
    default:
      ids = [];
  }
  const unique = [...new Set(ids)];
  const inactive = await Promise.all(unique.map((id) => dir.isInactive(id)));
  return unique.filter((_, i) => !inactive[i]);
}
