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
const HEAD_BYTES = Buffer.from(HEAD, 'latin1');
const V1_BYTES = Buffer.from(V1_TAG, 'latin1');
const V2_BYTES = Buffer.from(V2_TAG, 'latin1');
const PREV_BYTES = Buffer.from(PREV_TAG, 'latin1');

/*
 * WHY byte loops: at ~1 µs per record every native call counts (a `latin1Slice` costs ~0.5 µs,
 * as much as the SHA-256 of the line): tags and hashes are compared in place, byte by byte, and
 * the only native call per v2 line is the hash itself (perf notes, issue 18).
 */
function tagAt(buf: Buffer, at: number, tag: Buffer): boolean {
  if (at + tag.length > buf.length) return false;
  for (let i = 0; i < tag.length; i++) if (buf[at + i] !== tag[i]) return false;
  return true;
}

/** 64 hex characters at `at` equal `hex`. */
function hexAt(buf: Buffer, at: number, hex: string): boolean {
  if (hex.length !== 64 || at + 64 > buf.length) return false;
  for (let i = 0; i < 64; i++) if (buf[at + i] !== hex.charCodeAt(i)) return false;
  return true;
}

/** 64 bytes at `a` equal 64 bytes at `b`. */
function sameAt(buf: Buffer, a: number, b: number): boolean {
  for (let i = 0; i < 64; i++) if (buf[a + i] !== buf[b + i]) return false;
  return true;
}

/** Where a line's own hash and its prevHash sit in the buffer, its seq, and its recomputed hash. */
interface LineAt {
  seq: number;
  hashAt: number;
  /** Position of the prevHash hex in the buffer (v2), or its value (v1, parsed). */
  prevAt: number;
  prevHash?: string;
  /** Recomputed hash (absent when not re-hashing). */
  computed?: string;
}

export interface SegmentCheckOptions {
  /**
   * Recompute every line's SHA-256 (default). Without it only the structure is checked (seqs,
   * links, both ends): enough when the segment's bytes already match the signed digest's hash,
   * because the sealer re-hashed every record before it sealed and signed them.
   */
  rehash?: boolean;
}

/**
 * Recomputes every line's hash from its bytes and checks the links, the contiguous seqs from
 * `from` to `to`, and both ends against the signed digest. Stops at the first bad record.
 */
export function verifySegmentBytes(buf: Buffer, exp: SegmentExpectation, opts: SegmentCheckOptions = {}): SegmentCheck {
  const rehash = opts.rehash ?? true;
  let prevHashAt = -1; // where the previous line's hash sits; -1: use exp.firstPrevHash
  const prevHashText = exp.firstPrevHash;
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
    const line = parseLine(buf, start, end, rehash);
    if (!line) return fail('record_altered');
    if (line.seq !== expected) return fail(line.seq > expected ? 'record_missing' : 'sequence_tampered');
    if (line.computed !== undefined && !hexAt(buf, line.hashAt, line.computed)) return fail('record_altered');
    const linked =
      line.prevHash !== undefined
        ? line.prevHash === (prevHashAt < 0 ? prevHashText : latin1(buf, prevHashAt, prevHashAt + 64))
        : prevHashAt < 0
          ? hexAt(buf, line.prevAt, prevHashText)
          : sameAt(buf, line.prevAt, prevHashAt);
    if (!linked) return fail('chain_broken');
    const pin = exp.pinned?.get(expected);
    if (pin !== undefined && !hexAt(buf, line.hashAt, pin)) return fail('checkpoint_mismatch');
    prevHashAt = line.hashAt;
    expected++;
    checked++;
    start = end + 1;
  }
  if (expected <= exp.to) return fail('record_missing');
  const lastOk = prevHashAt < 0 ? prevHashText === exp.lastHash : hexAt(buf, prevHashAt, exp.lastHash);
  if (!lastOk) return fail('chain_broken', exp.to);
  return { checked };
}

/** Reused for every v2 line: the verifier reads a line's fields before parsing the next. */
const scratch: LineAt = { seq: 0, hashAt: 0, prevAt: 0, prevHash: undefined, computed: undefined };

function parseLine(buf: Buffer, start: number, end: number, rehash: boolean): LineAt | undefined {
  if (end - start < BODY_AT + 2 || !tagAt(buf, start, HEAD_BYTES)) return undefined;
  if (buf[end - 1] !== 0x7d /* } */ || buf[start + HEAD_LEN + 64] !== 0x22 /* " */) return undefined;
  const hashAt = start + HEAD_LEN;
  const body = start + BODY_AT;
  if (tagAt(buf, body, V2_BYTES)) {
    let i = body + V2_BYTES.length;
    let seq = 0;
    const digitsAt = i;
    while (i < end && buf[i]! >= 0x30 && buf[i]! <= 0x39) seq = seq * 10 + (buf[i++]! - 0x30);
    if (i === digitsAt || !tagAt(buf, i, PREV_BYTES)) return undefined;
    const prevAt = i + PREV_BYTES.length;
    if (prevAt + 65 > end || buf[prevAt + 64] !== 0x22) return undefined;
    const line = scratch;
    line.seq = seq;
    line.hashAt = hashAt;
    line.prevAt = prevAt;
    line.prevHash = undefined;
    line.computed = rehash ? sha256Hex(buf.subarray(body, end - 1)) : undefined;
    return line;
  }
  if (!tagAt(buf, body, V1_BYTES)) return undefined;
  const text = buf.subarray(body + V1_BYTES.length, end - 1);
  try {
    const r = JSON.parse(text.toString('utf8')) as { seq?: unknown; prevHash?: unknown };
    if (typeof r.seq !== 'number' || typeof r.prevHash !== 'string') return undefined;
    const line: LineAt = { seq: r.seq, hashAt, prevAt: -1, prevHash: r.prevHash };
    if (rehash) line.computed = sha256Hex(text);
    return line;
  } catch {
    return undefined;
  }
}
