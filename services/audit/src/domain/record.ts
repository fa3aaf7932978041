import { canonicalJson, compact, sha256Hex } from './canonical.js';
import { HASH_V2, hashV2, type V2Fields } from './encoding.js';
import { stripSecrets } from './redact.js';

export type Outcome = 'success' | 'denied' | 'failure';

export interface AuditActor {
  userId: string;
  role: string;
  ip?: string;
  userAgent?: string;
}

/**
 * One entry of the chain. `hash` covers every other member, `prevHash` links it. `hv` names the
 * hash scheme: absent = v1 (canonical JSON of the whole record, records written before v2),
 * 2 = the fixed field encoding of encoding.ts. Both verify forever; new records are v2.
 */
export interface AuditRecord {
  hv?: typeof HASH_V2;
  seq: number;
  eventId: string;
  type: string;
  version: number;
  occurredAt: string;
  recordedAt: string;
  source: string;
  actor?: AuditActor;
  action: string;
  resource?: { type: string; id?: string };
  patientId?: string;
  outcome: Outcome;
  requestId: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** What an event becomes before it gets its place in the chain. */
export type RecordDraft = Omit<AuditRecord, 'hv' | 'seq' | 'recordedAt' | 'prevHash' | 'hash'>;

/** prevHash of the first record: the chain starts from a fixed, public value. */
export const GENESIS_HASH = '0'.repeat(64);

/** The minimal event shape the audit log needs (the bus envelope satisfies it). */
export interface AuditableEvent {
  id: string;
  type: string;
  version: number;
  occurredAt: string;
  correlationId: string;
  source: string;
  actor?: { userId: string; role: string; ip?: string; userAgent?: string };
  data: unknown;
}

type Data = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** success / denied / failure, from the event type (and the HTTP status for access events). */
export function outcomeOf(type: string, data: Data): Outcome {
  if (type === 'request.completed') {
    const status = Number(data.status);
    if (status === 401 || status === 403) return 'denied';
    return status >= 400 ? 'failure' : 'success';
  }
  if (type === 'access.denied' || type === 'auth.login_failed' || type === 'auth.refresh_reused') return 'denied';
  if (type === 'file.scan_failed' || type === 'file.integrity_failed') return 'failure';
  return 'success';
}

/** The object an event is about: explicit resource fields first, then the catalogue's id fields. */
export function resourceOf(type: string, data: Data): AuditRecord['resource'] {
  const explicitType = str(data.resourceType);
  if (explicitType) return compact({ type: explicitType, id: str(data.resourceId) });
  if (str(data.fileId)) return { type: 'file', id: str(data.fileId)! };
  if (str(data.appointmentId)) return { type: 'appointment', id: str(data.appointmentId)! };
  if (str(data.grantId)) return { type: 'emergency_grant', id: str(data.grantId)! };
  if (type === 'audit.queried') return { type: 'audit_log' };
  if (type.startsWith('care.') && str(data.patientId)) return { type: 'patient', id: str(data.patientId)! };
  if (str(data.userId)) return { type: 'user', id: str(data.userId)! };
  return undefined;
}

/** The patient concerned: explicit patientId; for files without one, the owner (a patient uploading for self). */
export function patientOfEvent(type: string, data: Data): string | undefined {
  return str(data.patientId) ?? (type.startsWith('file.') ? str(data.ownerId) : undefined);
}

export function draftFromEvent(event: AuditableEvent): RecordDraft {
  const data = (stripSecrets(event.data ?? {}) ?? {}) as Data;
  return compact({
    eventId: event.id,
    type: event.type,
    version: event.version,
    occurredAt: new Date(event.occurredAt).toISOString(),
    source: event.source,
    actor: event.actor
      ? compact({
          userId: event.actor.userId,
          role: event.actor.role,
          ip: event.actor.ip,
          userAgent: event.actor.userAgent,
        })
      : undefined,
    action: event.type,
    resource: resourceOf(event.type, data),
    patientId: patientOfEvent(event.type, data),
    outcome: outcomeOf(event.type, data),
    requestId: event.correlationId,
    data,
  });
}

type Hashable = Omit<AuditRecord, 'hash'> & { hash?: string; _id?: unknown };

/** The record's hash under its own scheme (v2 when `hv` is 2, else v1). */
export function hashOf(record: Hashable): string {
  return record.hv === HASH_V2 ? hashV2(record as V2Fields & Hashable) : hashV1(record);
}

/** v1: SHA-256 over the canonical JSON of the record without `hash` (and without any storage key). */
export function hashV1(record: Hashable): string {
  return sha256Hex(canonicalJsonV1(record));
}

/** The exact text v1 hashes (also what a sealed segment stores for a v1 record). */
export function canonicalJsonV1(record: Hashable): string {
  const { hash: _h, _id: _i, ...rest } = record;
  return canonicalJson(rest);
}

/** Gives a draft its place: sequence number, link to the previous record, and its own (v2) hash. */
export function seal(draft: RecordDraft, seq: number, prevHash: string, recordedAt: Date): AuditRecord {
  const body = { hv: HASH_V2, ...draft, seq, recordedAt: recordedAt.toISOString(), prevHash };
  return { ...body, hash: hashV2(body) };
}
