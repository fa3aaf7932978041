import { type Digest, digestMessage } from './digest.js';
import type { ArchivedDigest, SignatureVerifier } from './ports.js';
import { GENESIS_HASH } from './record.js';
import type { Failure } from './verify.js';

/**
 * Checks the digest chain: each digest readable, named by its own seq, signed by the configured
 * key, linked to its predecessor (previous seq and signature), and its segment starting right
 * after the predecessor where the chain left it. A failure is named by the first record the
 * broken digest was meant to cover. Stops at the first bad digest.
 */
export async function checkDigests(
  list: ArchivedDigest[],
  verifier: SignatureVerifier,
  /** Latest digest seq the database ledger knows (truncation of the archive). */
  ledgerSeq = 0,
): Promise<{ valid: Digest[]; failure?: Failure }> {
  const valid: Digest[] = [];
  let prev: Digest | null = null;
  const firstUncovered = () => (prev?.seq ?? 0) + 1;
  for (const entry of list) {
    const d = entry.digest;
    if (!d || d.seq !== entry.seq)
      return { valid, failure: { seq: firstUncovered(), reason: 'checkpoint_unreadable' } };
    const sigOk = await verifier.verify(digestMessage(d), Buffer.from(d.signature, 'base64')).catch(() => false);
    if (!sigOk) return { valid, failure: { seq: firstUncovered(), reason: 'checkpoint_signature_invalid' } };
    const linked =
      d.previousSeq === (prev?.seq ?? 0) &&
      d.previousCheckpointSignature === (prev?.signature ?? null) &&
      d.segment.from === (prev?.seq ?? 0) + 1 &&
      d.segment.firstPrevHash === (prev?.hash ?? GENESIS_HASH) &&
      d.seq === d.segment.from + d.segment.count - 1;
    if (!linked) return { valid, failure: { seq: firstUncovered(), reason: 'checkpoint_chain_broken' } };
    valid.push(d);
    prev = d;
  }
  if (ledgerSeq > (prev?.seq ?? 0)) return { valid, failure: { seq: (prev?.seq ?? 0) + 1, reason: 'digest_missing' } };
  return { valid };
}
