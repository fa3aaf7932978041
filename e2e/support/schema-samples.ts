/**
 * Requests built from an OpenAPI document alone, as a client reading it would: a value each
 * schema accepts (its example, else one made from its limits), the same at a documented limit,
 * and values just beyond each documented limit. Covers the JSON Schema the services' TypeBox
 * route schemas produce; anything else throws, naming what to add (an `examples` entry).
 */
export interface Schema {
  type?: string | string[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  minItems?: number;
  maximum?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: Schema;
  examples?: unknown[];
  default?: unknown;
}

/** A string the (simple) regular expression matches: first choice of every class and alternative. */
export function sampleOf(pattern: string): string {
  let out = '';
  let i = 0;
  const src = pattern.split('|^')[0]!; // top-level alternatives: the first
  const atom = (): string => {
    const c = src[i++]!;
    if (c === '\\') {
      const e = src[i++]!;
      return e === 'd' ? '0' : e === 'S' || e === 'w' ? 'a' : e;
    }
    if (c === '[') {
      const end = src.indexOf(']', i + 1);
      const body = src.slice(i, end);
      i = end + 1;
      return body.startsWith('\\d') ? '0' : body[0]!;
    }
    if (c === '(') {
      let depth = 1;
      const start = i;
      while (depth) {
        if (src[i] === '\\') i++;
        else if (src[i] === '(') depth++;
        else if (src[i] === ')') depth--;
        i++;
      }
      return sampleOf(`^${src.slice(start, i - 1).split('|')[0]}$`);
    }
    return c === '.' ? 'a' : c;
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '^' || c === '$') {
      i++;
      continue;
    }
    const a = atom();
    const q = src[i];
    if (q === '{') {
      const end = src.indexOf('}', i);
      const n = Number(src.slice(i + 1, end).split(',')[0]);
      i = end + 1;
      out += a.repeat(Math.max(n, 1));
    } else if (q === '+' || q === '*' || q === '?') {
      i++;
      out += a;
    } else out += a;
  }
  return out;
}

const typeOf = (s: Schema) => (Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type);

/** A value the schema accepts. */
export function validValue(s: Schema): unknown {
  if (s.examples?.length) return s.examples[0];
  if ('const' in s) return s.const;
  if (s.enum?.length) return s.enum[0];
  if (s.anyOf?.length) return validValue(s.anyOf.find((a) => typeOf(a) !== 'null') ?? s.anyOf[0]!);
  switch (typeOf(s)) {
    case 'string':
      if (s.pattern) return sampleOf(s.pattern);
      if (s.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString();
      if (s.format === 'date') return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      return '0'.repeat(Math.max(s.minLength ?? 1, 1)); // '0': harmless as a version, name or reason
    case 'integer':
    case 'number':
      return s.minimum ?? Math.min(1, s.maximum ?? 1);
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => validValue(s.items ?? {}));
    case 'object':
      return Object.fromEntries((s.required ?? []).map((k) => [k, validValue(s.properties![k]!)]));
    default:
      throw new Error(`no sample for schema ${JSON.stringify(s)}: add examples to it`);
  }
}

/** Values at a documented limit (still valid). */
export function atLimits(s: Schema): { label: string; value: unknown }[] {
  const out: { label: string; value: unknown }[] = [];
  if (typeOf(s) === 'string' && s.maxLength !== undefined && !s.pattern && !s.format)
    out.push({ label: `maxLength ${s.maxLength}`, value: '0'.repeat(s.maxLength) });
  if (s.maximum !== undefined) out.push({ label: `maximum ${s.maximum}`, value: s.maximum });
  return out;
}

/** Values just beyond each documented limit (each must be refused with 400). */
export function beyondLimits(s: Schema): { label: string; value: unknown }[] {
  const out: { label: string; value: unknown }[] = [];
  const type = typeOf(s);
  if (type === 'string') {
    const ok = String(validValue(s));
    if (s.maxLength !== undefined)
      out.push({ label: `maxLength ${s.maxLength} + 1`, value: ok.padEnd(s.maxLength + 1, ok.at(-1) ?? '0') });
    if (s.minLength) out.push({ label: `minLength ${s.minLength} - 1`, value: ok.slice(0, s.minLength - 1) });
    if (s.pattern) out.push({ label: `pattern ${s.pattern}`, value: `!${ok}` });
    if (s.format === 'date-time') out.push({ label: 'format date-time', value: 'yesterday' });
  }
  if (type === 'integer' || type === 'number') {
    if (s.maximum !== undefined) out.push({ label: `maximum ${s.maximum} + 1`, value: s.maximum + 1 });
    if (s.minimum !== undefined) out.push({ label: `minimum ${s.minimum} - 1`, value: s.minimum - 1 });
    if (type === 'integer') out.push({ label: 'integer', value: 1.5 });
  }
  if (s.enum || s.anyOf?.every((a) => 'const' in a)) out.push({ label: 'not one of the values', value: 'zz-none' });
  return out;
}
