import { canonicalJson, sha256Hex } from './canonical.js';

/**
 * Hash scheme v2: a fixed encoding of the record's fields, written field by field in one
 * documented order, instead of sorting every object generically (v1, canonical JSON of the whole
 * record). The bytes are the members of a JSON object without its braces, so a sealed segment line
 * is `{"hash":"<hex>",` + these bytes + `}`: valid JSON, and the hashed bytes are a contiguous
 * slice of the line (verification hashes the slice, no parse).
 *
 *   "hv":2,"seq":N,"prevHash":S,"eventId":S,"type":S,"version":N,"occurredAt":S,"recordedAt":S,
 *   "source":S[,"actor":{"userId":S,"role":S[,"ip":S][,"userAgent":S]}],"action":S
 *   [,"resource":{"type":S[,"id":S]}][,"patientId":S],"outcome":S,"requestId":S,"data":C
 *
 * S = JSON string, N = JSON integer, C = canonical JSON (keys sorted, see canonical.ts). Optional
 * members are omitted when absent. Injective: a value of the wrong type (a string seq, an object
 * where a string belongs, an extra member) encodes differently, so it can never collide.
 */
export const HASH_V2 = 2 as const;

/** The fields v2 encodes (and nothing else may be present besides `hash` and a storage `_id`). */
export interface V2Fields {
  hv: typeof HASH_V2;
  seq: number;
  prevHash: string;
  eventId: string;
  type: string;
  version: number;
  occurredAt: string;
  recordedAt: string;
  source: string;
  actor?: { userId: string; role: string; ip?: string; userAgent?: string };
  action: string;
  resource?: { type: string; id?: string };
  patientId?: string;
  outcome: string;
  requestId: string;
  data: Record<string, unknown>;
}

const TOP_REQUIRED = 13; // hv seq prevHash eventId type version occurredAt recordedAt source action outcome requestId data
const ACTOR_KEYS = ['userId', 'role', 'ip', 'userAgent'] as const;
const RESOURCE_KEYS = ['type', 'id'] as const;

const str = (v: unknown): string => JSON.stringify(v) ?? 'undefined';
const int = (v: unknown): string => (typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : `"!${str(v)}"`);

/** A small object with known members in a fixed order; anything unexpected takes a distinct form. */
function fixedObject(o: unknown, keys: readonly string[]): string {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return `["!",${str(o)}]`;
  const rec = o as Record<string, unknown>;
  let out = '{';
  let present = 0;
  for (const k of keys) {
    const v = rec[k];
    if (v === undefined) continue;
    out += `${present++ > 0 ? ',' : ''}"${k}":${str(v)}`;
  }
  if (Object.keys(rec).length !== present) return `["!",${canonicalJson(o)}]`;
  return `${out}}`;
}

/** The v2 bytes of a record (see above). `hash` and `_id` are not part of them. */
export function encodeV2(r: V2Fields & { hash?: string; _id?: unknown }): string {
  let out = `"hv":2,"seq":${int(r.seq)},"prevHash":${str(r.prevHash)},"eventId":${str(r.eventId)},"type":${str(r.type)},"version":${int(r.version)},"occurredAt":${str(r.occurredAt)},"recordedAt":${str(r.recordedAt)},"source":${str(r.source)}`;
  let members = TOP_REQUIRED;
  if (r.actor !== undefined) {
    out += `,"actor":${fixedObject(r.actor, ACTOR_KEYS)}`;
    members++;
  }
  out += `,"action":${str(r.action)}`;
  if (r.resource !== undefined) {
    out += `,"resource":${fixedObject(r.resource, RESOURCE_KEYS)}`;
    members++;
  }
  if (r.patientId !== undefined) {
    out += `,"patientId":${str(r.patientId)}`;
    members++;
  }
  out += `,"outcome":${str(r.outcome)},"requestId":${str(r.requestId)},"data":${canonicalJson(r.data)}`;
  // An extra stored member is tampering too: it gets a distinct encoding, so the hash fails.
  let keys = Object.keys(r).length;
  if (r.hash !== undefined) keys--;
  if (r._id !== undefined) keys--;
  if (keys !== members) out += ',"!":"unexpected members"';
  return out;
}

export function hashV2(r: V2Fields & { hash?: string; _id?: unknown }): string {
  return sha256Hex(encodeV2(r));
}
