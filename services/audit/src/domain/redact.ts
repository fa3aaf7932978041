/**
 * Keys whose values never enter the audit log. Secrets (tokens, passwords, wrapped keys) would
 * turn an exported audit file into a credential leak; contact addresses are PII the record does
 * not need (the user id already says who). Ids, hashes, virus signature names and object keys stay.
 */
const SECRET_KEY =
  /(token|password|passwd|secret|wrappedkey|datakey|privatekey|apikey|authorization|cookie|credential)/i;
const DROPPED_EXACT = new Set(['email']);

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) || DROPPED_EXACT.has(key.toLowerCase());
}

/** A deep copy of `value` without secret members (at any depth, including inside arrays). */
export function stripSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSecrets);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (!isSecretKey(k)) out[k] = stripSecrets(v);
    }
    return out;
  }
  return value;
}
