import { sha256Hex } from './canonical.js';
import { encodeV2, HASH_V2, type V2Fields } from './encoding.js';
import { type AuditRecord, canonicalJsonV1 } from './record.js';

/**
 * A sealed segment is JSONL, one record per line, in seq order:
 *   v2: {"hash":"<64 hex>",<encodeV2 bytes>}        hashed bytes = everything between `,` and the last `}`
 *   v1: {"hash":"<64 hex>","v1":<canonical JSON>}    hashed bytes = the canonical JSON
 * So verifying a line is one SHA-256 over a slice of the buffer; only v1 lines need a parse.
 */
const HEAD = '{"hash":"';
const HEAD_LEN = HEAD.length; // 9
const BODY_AT = HEAD_LEN + 64 + 2; // after `<hex>",`
const V1_TAG = '"v1":';
const V2_TAG = '"hv":2,"seq":';
const PREV_TAG = ',"prevHash":"';

export function segmentLine(r: AuditRecord): string {
  if (r.hv === HASH_V2) return `${HEAD}${r.hash}",${encodeV2(r as AuditRecord & V2Fields)}}`;
  return `${HEAD}${r.hash}",${V1_TAG}${canonicalJsonV1(r)}}`;
}

/** The record a line holds (archive readers, retention restores). */
export function recordFromLine(line: string): AuditRecord {
  const o = JSON.parse(line) as AuditRecord & { v1?: Omit<AuditRecord, 'hash'> };
  return o.v1 ? { ...o.v1, hash: o.hash } : o;
}

export type SegmentFailureReason = 'record_altered' | 'chain_broken' | 'sequence_tampered' | 'record_missing';

export interface SegmentExpectation {
  from: number;
  to: number;
  /** prevHash of record `from`. */
  firstPrevHash: string;
  /** hash of record `to`. */
  lastHash: string;
  /** Hashes that must appear at these seqs (legacy signed checkpoints inside the range). */
  pinned?: Map<number, string>;
}

export interface SegmentCheck {
  checked: number;
  failure?: { seq: number; reason: SegmentFailureReason | 'checkpoint_mismatch' };
}

const NL = 0x0a;

/** Buffer's latin1Slice (present at runtime, missing from @types/node): no encoding lookup per call. */
interface Latin1Buffer extends Buffer {
  latin1Slice(start: number, end: number): string;
}
const latin1 = (buf: Buffer, start: number, end: number) => (buf as Latin1Buffer).latin1Slice(start, end);

/**
 * Recomputes every line's hash from its bytes and checks the links, the contiguous seqs from
 * `from` to `to`, and both ends against the signed digest. Stops at the first bad record.
 */
export function verifySegmentBytes(buf: Buffer, exp: SegmentExpectation): SegmentCheck {
  let prevHash = exp.firstPrevHash;
  let expected = exp.from;
  let checked = 0;
  let start = 0;
  const fail = (reason: SegmentFailureReason | 'checkpoint_mismatch', seq = expected): SegmentCheck => ({
    checked,
    failure: { seq, reason },
  });
  while (start < buf.length) {
    let end = buf.indexOf(NL, start);
    if (end < 0) end = buf.length;
    if (end === start) {
      start = end + 1;
      continue;
    }
    if (expected > exp.to) return fail('sequence_tampered', exp.to + 1);
    const line = parseLine(buf, start, end);
    if (!line) return fail('record_altered');
    if (line.seq !== expected) return fail(line.seq > expected ? 'record_missing' : 'sequence_tampered');
    if (line.computed !== line.hash) return fail('record_altered');
    if (line.prevHash !== prevHash) return fail('chain_broken');
    const pin = exp.pinned?.get(expected);
    if (pin !== undefined && pin !== line.hash) return fail('checkpoint_mismatch');
    prevHash = line.hash;
    expected++;
    checked++;
    start = end + 1;
  }
  if (expected <= exp.to) return fail('record_missing');
  if (prevHash !== exp.lastHash) return fail('chain_broken', exp.to);
  return { checked };
}

interface ParsedLine {
  seq: number;
  hash: string;
  prevHash: string;
  computed: string;
}

function parseLine(buf: Buffer, start: number, end: number): ParsedLine | undefined {
  if (end - start < BODY_AT + 2 || latin1(buf, start, start + HEAD_LEN) !== HEAD) return undefined;
  if (buf[end - 1] !== 0x7d /* } */) return undefined;
  const hash = latin1(buf, start + HEAD_LEN, start + HEAD_LEN + 64);
  const body = start + BODY_AT;
  if (latin1(buf, body, body + V2_TAG.length) === V2_TAG) {
    let i = body + V2_TAG.length;
    let seq = 0;
    const digitsAt = i;
    while (i < end && buf[i]! >= 0x30 && buf[i]! <= 0x39) seq = seq * 10 + (buf[i++]! - 0x30);
    if (i === digitsAt || latin1(buf, i, i + PREV_TAG.length) !== PREV_TAG) return undefined;
    const p = i + PREV_TAG.length;
    return { seq, hash, prevHash: latin1(buf, p, p + 64), computed: sha256Hex(buf.subarray(body, end - 1)) };
  }
  if (latin1(buf, body, body + V1_TAG.length) !== V1_TAG) return undefined;
  const text = buf.subarray(body + V1_TAG.length, end - 1);
  try {
    const r = JSON.parse(text.toString('utf8')) as { seq?: unknown; prevHash?: unknown };
    if (typeof r.seq !== 'number' || typeof r.prevHash !== 'string') return undefined;
    return { seq: r.seq, hash, prevHash: r.prevHash, computed: sha256Hex(text) };
  } catch {
    return undefined;
  }
}
