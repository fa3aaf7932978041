import { canonicalJson } from './canonical.js';
import { CHECKPOINT_ALGORITHM, padSeq } from './checkpoint.js';

/**
 * A signed digest, as CloudTrail's digest files: "records `segment.from`..`seq` are the object
 * `segment.key` whose SHA-256 is `segment.sha256`; the chain enters it at `segment.firstPrevHash`
 * and leaves it at `hash`". Linked to the previous digest by its signature, so dropping, replacing
 * or reordering digests breaks every later one. Same shape as a v1 checkpoint plus the segment.
 */
export interface Digest {
  version: 2;
  /** Last record of the segment. */
  seq: number;
  /** Its hash (the chain head at sealing). */
  hash: string;
  time: string;
  /** seq of the previous digest (0 for the first). */
  previousSeq: number;
  previousCheckpointSignature: string | null;
  keyId: string;
  algorithm: typeof CHECKPOINT_ALGORITHM;
  segment: SegmentRef;
  /** base64 DER ECDSA signature over digestMessage(). */
  signature: string;
}

export interface SegmentRef {
  key: string;
  from: number;
  count: number;
  firstPrevHash: string;
  /** SHA-256 (hex) of the stored (compressed) object. */
  sha256: string;
  bytes: number;
  encoding: 'gzip';
}

export type UnsignedDigest = Omit<Digest, 'signature'>;

export function digestMessage(d: UnsignedDigest | Digest): Buffer {
  const { signature: _s, ...rest } = d as Digest;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

/** Object keys under the chain's prefix: sortable by seq, and the segment's range is in its name. */
export const segmentKey = (prefix: string, from: number, to: number) =>
  `${prefix}segments/${padSeq(from)}-${padSeq(to)}.jsonl.gz`;
export const segmentKeyPrefix = (prefix: string, from: number) => `${prefix}segments/${padSeq(from)}-`;
export const digestKey = (prefix: string, seq: number) => `${prefix}digests/${padSeq(seq)}.json`;
export const DIGEST_NAME = /digests\/(\d{12})\.json$/;
export const SEGMENT_NAME = /segments\/(\d{12})-(\d{12})\.jsonl\.gz$/;

const isStr = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => Number.isInteger(v);

export function isDigest(v: unknown): v is Digest {
  const d = v as Digest;
  const s = d?.segment;
  return (
    !!d &&
    d.version === 2 &&
    isInt(d.seq) &&
    isStr(d.hash) &&
    isStr(d.time) &&
    isInt(d.previousSeq) &&
    (d.previousCheckpointSignature === null || isStr(d.previousCheckpointSignature)) &&
    isStr(d.keyId) &&
    d.algorithm === CHECKPOINT_ALGORITHM &&
    isStr(d.signature) &&
    !!s &&
    isStr(s.key) &&
    isInt(s.from) &&
    isInt(s.count) &&
    isStr(s.firstPrevHash) &&
    isStr(s.sha256) &&
    isInt(s.bytes) &&
    s.encoding === 'gzip'
  );
}
