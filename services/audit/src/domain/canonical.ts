import { hash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` members dropped,
 * arrays kept in order. Two structurally equal values always give the same bytes, whatever the
 * key order a driver or a database hands back, so a hash over it survives a storage round trip.
 * Written as one loop with string appends: the earlier filter/sort/map/join version allocated
 * four arrays per object and was the top of the verify profile (see bench notes in the README).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'object':
      return value instanceof Date ? JSON.stringify(value.toISOString()) : canonicalObject(value);
    default:
      throw new TypeError(`canonicalJson: unsupported ${typeof value}`);
  }
}

/**
 * True when JSON.stringify already yields the canonical form: every object's keys in sorted
 * order with no undefined member, only finite numbers, no Dates (toJSON is fine but rare here).
 * Stored records keep the sorted key order the writer gave them (BSON preserves order), so
 * verification walks without allocating and lets the native serializer do the rest.
 */
function isCanonicalAsIs(value: unknown, depth = 0): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (depth > 32 || value instanceof Date) return false;
      if (Array.isArray(value)) {
        for (const v of value) if (v === undefined || !isCanonicalAsIs(v, depth + 1)) return false;
        return true;
      }
      let prev: string | undefined;
      for (const k in value) {
        if (!Object.hasOwn(value, k)) return false;
        if (prev !== undefined && !(prev < k)) return false;
        const v = (value as Record<string, unknown>)[k];
        if (v === undefined || !isCanonicalAsIs(v, depth + 1)) return false;
        prev = k;
      }
      return true;
    }
    default:
      return false;
  }
}

function canonicalObject(value: object): string {
  if (isCanonicalAsIs(value)) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const v: unknown = value[i];
      out += v === undefined ? 'null' : canonicalJson(v);
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  // Default sort compares UTF-16 code units, as documented above.
  if (keys.length > 1) keys.sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

/** One-shot SHA-256 (crypto.hash): no Hash object per call, about 3x cheaper for small inputs. */
export function sha256Hex(data: string | Buffer): string {
  return hash('sha256', data, 'hex');
}

/**
 * Removes `undefined` members recursively (the Mongo driver would store them as null, changing the
 * hash) and puts keys in sorted order, so the stored form is already canonical (fast path above).
 */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => compact(v)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const obj = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj).sort()) if (obj[k] !== undefined) out[k] = compact(obj[k]);
    return out as T;
  }
  return value;
}
