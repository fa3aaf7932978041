import { canonicalJson } from './canonical.js';

export const CHECKPOINT_ALGORITHM = 'ECDSA_SHA_256';

/**
 * A signed statement "the chain had `hash` at `seq` at `time`", linked to the previous
 * checkpoint through its signature (as CloudTrail digest files are), so dropping or replacing
 * one checkpoint breaks every later one.
 */
export interface Checkpoint {
  version: 1;
  seq: number;
  hash: string;
  time: string;
  previousSeq: number;
  previousCheckpointSignature: string | null;
  keyId: string;
  algorithm: typeof CHECKPOINT_ALGORITHM;
  /** base64 DER ECDSA signature over checkpointMessage(). */
  signature: string;
}

export type UnsignedCheckpoint = Omit<Checkpoint, 'signature'>;

/** The exact bytes that are signed: canonical JSON of everything but the signature. */
export function checkpointMessage(cp: UnsignedCheckpoint | Checkpoint): Buffer {
  const { signature: _s, ...rest } = cp as Checkpoint;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

export const padSeq = (seq: number) => String(seq).padStart(12, '0');

export function isCheckpoint(v: unknown): v is Checkpoint {
  const c = v as Checkpoint;
  return (
    !!c &&
    c.version === 1 &&
    Number.isInteger(c.seq) &&
    typeof c.hash === 'string' &&
    typeof c.time === 'string' &&
    Number.isInteger(c.previousSeq) &&
    (c.previousCheckpointSignature === null || typeof c.previousCheckpointSignature === 'string') &&
    typeof c.keyId === 'string' &&
    c.algorithm === CHECKPOINT_ALGORITHM &&
    typeof c.signature === 'string'
  );
}
