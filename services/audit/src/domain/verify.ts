import { type Checkpoint, checkpointMessage, padSeq } from './checkpoint.js';
import type { ArchivedCheckpoint, SignatureVerifier } from './ports.js';
import { type AuditRecord, hashOf } from './record.js';

export type InvalidReason =
  | 'record_missing'
  | 'record_altered'
  | 'chain_broken'
  | 'sequence_tampered'
  | 'anchor_missing'
  | 'checkpoint_unreadable'
  | 'checkpoint_signature_invalid'
  | 'checkpoint_chain_broken'
  | 'checkpoint_mismatch'
  | 'digest_missing'
  | 'segment_missing'
  | 'segment_altered';

export interface VerifyResult {
  ok: boolean;
  /** Records whose hash and link were recomputed. */
  checked: number;
  checkpointsChecked: number;
  from: number;
  /** Last seq verified (0 when none). */
  lastSeq: number;
  firstInvalid?: number;
  reason?: InvalidReason;
  /** The latest valid checkpoint covering the verified records. */
  checkpoint: { seq: number; hash: string; time: string } | null;
}

export interface VerifyInput {
  /** Records with seq in [from, to] in storage order (append order; small disorder tolerated). */
  records: AsyncIterable<AuditRecord & { _id?: unknown }>;
  from: number;
  to?: number;
  /** Hash of record from-1 (GENESIS for from = 1); null when that record is missing. */
  anchorHash: string | null;
  checkpoints: ArchivedCheckpoint[];
  verifier: SignatureVerifier;
  /** The chain head hint: records up to it must exist. */
  headSeq?: number;
}

// Records arriving ahead of a missing one are held at most this long before declaring the gap.
const MAX_DISORDER = 10_000;

export interface Failure {
  seq: number;
  reason: InvalidReason;
}
export const earliest = (a: Failure | undefined, b: Failure | undefined) => (!a ? b : !b ? a : b.seq < a.seq ? b : a);

/** Checks every archived checkpoint: readable, signed by the key, linked to its predecessor. */
export async function checkCheckpoints(list: ArchivedCheckpoint[], verifier: SignatureVerifier) {
  const valid = new Map<number, Checkpoint>();
  let failure: Failure | undefined;
  let prev: Checkpoint | null = null;
  for (const entry of list) {
    const cp = entry.checkpoint;
    if (!cp || cp.seq !== entry.seq) {
      failure = { seq: entry.seq, reason: 'checkpoint_unreadable' };
      break;
    }
    const sigOk = await verifier.verify(checkpointMessage(cp), Buffer.from(cp.signature, 'base64')).catch(() => false);
    if (!sigOk) {
      failure = { seq: cp.seq, reason: 'checkpoint_signature_invalid' };
      break;
    }
    if (cp.previousSeq !== (prev?.seq ?? 0) || cp.previousCheckpointSignature !== (prev?.signature ?? null)) {
      failure = { seq: cp.seq, reason: 'checkpoint_chain_broken' };
      break;
    }
    valid.set(cp.seq, cp);
    prev = cp;
  }
  return { valid, failure, checked: list.length };
}

/**
 * Recomputes the chain over [from, to]: every record's hash, its link to the previous one,
 * contiguous sequence numbers, agreement with every signed checkpoint in range, and that no
 * checkpointed or announced record has disappeared. Names the first invalid sequence number.
 */
export async function verifyChain(input: VerifyInput): Promise<VerifyResult> {
  const { from } = input;
  const to = input.to ?? Number.POSITIVE_INFINITY;
  const cps = await checkCheckpoints(input.checkpoints, input.verifier);
  let failure = cps.failure && cps.failure.seq >= from && cps.failure.seq <= to ? cps.failure : undefined;
  let expected = from;
  let prevHash = input.anchorHash;
  let checked = 0;
  if (prevHash === null) failure = earliest(failure, { seq: from - 1, reason: 'anchor_missing' });
  const held = new Map<number, AuditRecord & { _id?: unknown }>();

  const take = (r: AuditRecord & { _id?: unknown }): Failure | undefined => {
    if (hashOf(r) !== r.hash) return { seq: r.seq, reason: 'record_altered' };
    if (r.prevHash !== prevHash) return { seq: r.seq, reason: 'chain_broken' };
    const cp = cps.valid.get(r.seq);
    if (cp && cp.hash !== r.hash) return { seq: r.seq, reason: 'checkpoint_mismatch' };
    prevHash = r.hash;
    expected = r.seq + 1;
    checked++;
    return undefined;
  };

  let stop: Failure | undefined = failure && failure.seq <= from ? failure : undefined;
  if (!stop) {
    for await (const r of input.records) {
      const idSeq = typeof r._id === 'string' ? Number(r._id) : r.seq;
      if (!Number.isInteger(r.seq) || (r._id !== undefined && r._id !== padSeq(r.seq))) {
        stop = {
          seq: Math.min(Number.isFinite(idSeq) ? idSeq : expected, Number.isInteger(r.seq) ? r.seq : expected),
          reason: 'sequence_tampered',
        };
      } else if (r.seq < expected || held.has(r.seq)) {
        stop = { seq: r.seq, reason: 'sequence_tampered' };
      } else if (r.seq > expected) {
        held.set(r.seq, r);
        if (held.size > MAX_DISORDER) stop = { seq: expected, reason: 'record_missing' };
      } else {
        stop = take(r);
        while (!stop && held.has(expected)) {
          const next = held.get(expected)!;
          held.delete(expected);
          stop = take(next);
        }
      }
      if (stop || (failure && expected > failure.seq)) break;
    }
  }
  if (!stop && held.size > 0) stop = { seq: expected, reason: 'record_missing' };
  failure = earliest(failure, stop);
  if (!failure) {
    // Truncation: a signed checkpoint or the head names a record past the end of what exists.
    const maxCp = Math.max(0, ...[...cps.valid.keys()].filter((s) => s <= to));
    const mustReach = Math.min(to, Math.max(maxCp, input.headSeq ?? 0));
    if (mustReach >= expected) failure = { seq: expected, reason: 'record_missing' };
  }
  const lastGood = failure ? failure.seq - 1 : expected - 1;
  const covering = [...cps.valid.values()].filter((c) => c.seq <= lastGood && c.seq >= from).pop() ?? null;
  return {
    ok: !failure,
    checked,
    checkpointsChecked: cps.checked,
    from,
    lastSeq: expected - 1,
    ...(failure ? { firstInvalid: failure.seq, reason: failure.reason } : {}),
    checkpoint: covering ? { seq: covering.seq, hash: covering.hash, time: covering.time } : null,
  };
}
