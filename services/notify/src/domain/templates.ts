import type { Envelope, EventType } from '@medvault/common/events';

/** The event types that produce notifications (user.* only feed the projection). */
export const NOTIFYING_TYPES = [
  'file.available',
  'file.infected',
  'file.scan_failed',
  'file.shared',
  'file.integrity_failed',
  'appointment.booked',
  'appointment.rescheduled',
  'appointment.cancelled',
  'access.emergency_granted',
  'chat.message_sent',
] as const satisfies readonly EventType[];
export type NotifyingType = (typeof NOTIFYING_TYPES)[number];

export const isNotifying = (t: string): t is NotifyingType => (NOTIFYING_TYPES as readonly string[]).includes(t);

export interface Message {
  /** Generic on purpose: subjects travel through mail servers and lock screens (no PHI). */
  title: string;
  body: string;
  /** Ids only: what the recipient's client needs to open the item. */
  refs: Record<string, string>;
  link: string;
}

const TITLES: Record<NotifyingType, string> = {
  'file.available': 'A new file is available',
  'file.infected': 'A file was blocked by the malware scanner',
  'file.scan_failed': 'A file could not be scanned',
  'file.shared': 'A file was shared with you',
  'file.integrity_failed': 'A file failed an integrity check',
  'appointment.booked': 'An appointment was booked',
  'appointment.rescheduled': 'An appointment was rescheduled',
  'appointment.cancelled': 'An appointment was cancelled',
  'access.emergency_granted': 'Emergency access was granted',
  // Never the text nor the sender's name: a lock screen is not a secure channel.
  'chat.message_sent': 'You have a new secure message',
};

// Fields that may leave the platform: identifiers and times. Everything else (reasons, scanner
// signature names, hashes, free text) is dropped, whatever new fields an event version adds.
const SAFE_FIELDS = new Set([
  'fileId',
  'ownerId',
  'uploadedBy',
  'patientId',
  'sharedWith',
  'appointmentId',
  'clinicianId',
  'grantId',
  'start',
  'end',
  'previousStart',
  'previousEnd',
  'expiresAt',
  'conversationId',
  'messageId',
]);

export function safeData(data: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((data ?? {}) as Record<string, unknown>)) {
    if (SAFE_FIELDS.has(k) && typeof v === 'string') out[k] = v;
  }
  return out;
}

function linkOf(type: NotifyingType, refs: Record<string, string>, base: string): string {
  const root = base.replace(/\/$/, '');
  if (type.startsWith('file.') && refs.fileId) return `${root}/v1/files/${refs.fileId}`;
  if (type.startsWith('appointment.') && refs.appointmentId) return `${root}/v1/appointments/${refs.appointmentId}`;
  if (type === 'chat.message_sent' && refs.conversationId)
    return `${root}/v1/conversations/${refs.conversationId}/messages`;
  return `${root}/v1/notifications`;
}

export function messageFor(event: Envelope, baseUrl: string): Message {
  const type = event.type as NotifyingType;
  const refs = safeData(event.data);
  const link = linkOf(type, refs, baseUrl);
  const ids = Object.entries(refs)
    .filter(([k]) => k.endsWith('Id'))
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  const body = `${TITLES[type]}.\n\n${ids}\n\nOpen MedVault to see the details: ${link}\n`;
  return { title: TITLES[type], body, refs, link };
}
