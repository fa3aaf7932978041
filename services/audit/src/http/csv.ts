import type { AuditRecord } from '../domain/record.js';

export const CSV_COLUMNS = [
  'seq',
  'eventId',
  'type',
  'occurredAt',
  'recordedAt',
  'actorUserId',
  'actorRole',
  'actorIp',
  'actorUserAgent',
  'action',
  'resourceType',
  'resourceId',
  'patientId',
  'outcome',
  'requestId',
  'source',
  'data',
  'prevHash',
  'hash',
] as const;

/**
 * RFC 4180 field: quoted when it holds a quote, comma or line break (quotes doubled). A leading
 * = + - @ tab or CR would make a spreadsheet evaluate the cell as a formula (CSV injection), so
 * such cells get a leading apostrophe. JSONL is the byte-exact, hash-verifiable export format.
 */
export function csvField(value: unknown): string {
  let s = value === undefined || value === null ? '' : typeof value === 'string' ? value : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvRow(r: AuditRecord): string {
  const cells = [
    r.seq,
    r.eventId,
    r.type,
    r.occurredAt,
    r.recordedAt,
    r.actor?.userId,
    r.actor?.role,
    r.actor?.ip,
    r.actor?.userAgent,
    r.action,
    r.resource?.type,
    r.resource?.id,
    r.patientId,
    r.outcome,
    r.requestId,
    r.source,
    JSON.stringify(r.data),
    r.prevHash,
    r.hash,
  ];
  return `${cells.map(csvField).join(',')}\r\n`;
}

export const csvHeader = () => `${CSV_COLUMNS.join(',')}\r\n`;
