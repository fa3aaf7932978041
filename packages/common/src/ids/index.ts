import { randomBytes } from 'node:crypto';

/**
 * Prefixed, time-sortable ids (`file_01JD...`): the prefix tells a reader what an id names
 * (support tickets, logs), the ULID body sorts by creation time, which cursor pagination uses.
 */
export const IdPrefixes = {
  user: 'usr',
  file: 'fil',
  event: 'evt',
  appointment: 'apt',
  notification: 'ntf',
  link: 'lnk',
  request: 'req',
  audit: 'aud',
  share: 'shr',
  session: 'ses',
  webhook: 'whk',
  grant: 'grt',
  conversation: 'cnv',
  message: 'msg',
  flag: 'flg',
} as const;
export type IdKind = keyof typeof IdPrefixes;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function encodeRandom(): string {
  const bytes = randomBytes(16);
  let out = '';
  for (let i = 0; i < 16; i++) out += CROCKFORD[bytes[i]! % 32];
  return out;
}

export function ulid(now: number = Date.now()): string {
  return encodeTime(now) + encodeRandom();
}

export function newId(kind: IdKind, now?: number): string {
  return `${IdPrefixes[kind]}_${ulid(now)}`;
}

const ID_RE = /^[a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}$/;

/** True when `value` is a well-formed id of the given kind (rejects ids of other kinds). */
export function isId(kind: IdKind, value: unknown): value is string {
  return typeof value === 'string' && ID_RE.test(value) && value.startsWith(`${IdPrefixes[kind]}_`);
}

/** JSON-schema pattern for an id of one kind, for route params and event fields. */
export function idPattern(kind: IdKind): string {
  return `^${IdPrefixes[kind]}_[0-9A-HJKMNP-TV-Z]{26}$`;
}
