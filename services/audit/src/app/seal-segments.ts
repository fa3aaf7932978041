import { CHECKPOINT_ALGORITHM } from '../domain/checkpoint.js';
import { type Digest, digestMessage, SEGMENT_NAME, type UnsignedDigest } from '../domain/digest.js';
import type { CheckpointLedger, Lease, SegmentStore, Signer } from '../domain/ports.js';
import { type AuditRecord, GENESIS_HASH, hashOf } from '../domain/record.js';
import { segmentLine, verifySegmentBytes } from '../domain/segment.js';

export interface SealPolicy {
  /** Seal once this many records are unsealed (and never put more in one segment)... */
  every: number;
  /** ...or once the last digest is this old and at least one record is unsealed. */
  intervalSeconds: number;
}

export interface SealerDeps {
  segments: SegmentStore;
  ledger: CheckpointLedger<Digest>;
  lease: Lease;
  signer: Signer;
  /** The chain's current tail. */
  tail: () => Promise<{ seq: number; hash: string }>;
  /** Records [from, to] in seq order (cache first, then the database). */
  records: (from: number, to: number) => Promise<AuditRecord[]>;
  clock?: () => Date;
}

/** At most this many segments per tick, so a long backlog never holds the lease for ever. */
const MAX_SEGMENTS_PER_TICK = 50;

/**
 * Seals the chain into write-once segment objects plus KMS-signed digests, in the manner of
 * CloudTrail digest files. Order of writes: segment object, signature, ledger claim (one successor
 * per digest: the chain of digests cannot fork), digest object, hint. A crash anywhere is repaired
 * by the next tick: a segment without digest is found by its name and reused (after checking it),
 * a claimed digest missing from S3 is archived again. The lease keeps two instances from doing the
 * work twice; safety does not depend on it.
 */
export class Sealer {
  private latest: Digest | null | undefined;
  private archivedSeq = -1;
  private readonly clock: () => Date;

  constructor(
    private readonly deps: SealerDeps,
    private readonly policy: SealPolicy,
  ) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** The last seq this sealer knows to be sealed (0 before its first look). */
  get sealedThrough(): number {
    return this.latest?.seq ?? 0;
  }

  async latestDigest(): Promise<Digest | null> {
    let d = this.latest ?? (await this.deps.ledger.readHint());
    for (;;) {
      const next = await this.deps.ledger.successorOf(d?.seq ?? 0);
      if (!next) break;
      d = next;
    }
    this.latest = d ?? null;
    return this.latest;
  }

  /** Seals what is due (everything unsealed when `force`); returns the digests written. */
  async tick(force = false): Promise<Digest[]> {
    if (!(await this.deps.lease.acquire())) return [];
    const written: Digest[] = [];
    for (let i = 0; i < MAX_SEGMENTS_PER_TICK; i++) {
      const d = await this.sealOne(force);
      if (!d) break;
      written.push(d);
    }
    return written;
  }

  private async sealOne(force: boolean): Promise<Digest | null> {
    const last = await this.latestDigest();
    if (last && last.seq > this.archivedSeq) {
      await this.deps.segments.putDigest(last);
      this.archivedSeq = last.seq;
    }
    const from = (last?.seq ?? 0) + 1;
    const tail = await this.deps.tail();
    if (tail.seq < from) return null;
    const orphanTo = await this.orphanEnd(from, tail.seq);
    const ageSeconds = last ? (this.clock().getTime() - Date.parse(last.time)) / 1000 : Number.POSITIVE_INFINITY;
    const backlog = tail.seq - from + 1;
    const due =
      force || orphanTo !== undefined || backlog >= this.policy.every || ageSeconds >= this.policy.intervalSeconds;
    if (!due) return null;
    const to = orphanTo ?? Math.min(tail.seq, from + this.policy.every - 1);
    const firstPrevHash = last?.hash ?? GENESIS_HASH;
    const records = await this.deps.records(from, to);
    assertSealable(records, from, to, firstPrevHash);

    const key = this.deps.segments.keyOf(from, to);
    const jsonl = Buffer.from(`${records.map(segmentLine).join('\n')}\n`, 'utf8');
    const stored = await this.deps.segments.writeSegment(key, jsonl);
    const lastHash = records[records.length - 1]!.hash;
    if (!stored.created) {
      // Left by a sealer that crashed before its digest: reuse it only if it is exactly this chain.
      const check = verifySegmentBytes(stored.jsonl, { from, to, firstPrevHash, lastHash });
      if (check.failure)
        throw new Error(`segment ${key} exists but does not match the records (${check.failure.reason})`);
    }
    const unsigned: UnsignedDigest = {
      version: 2,
      seq: to,
      hash: lastHash,
      time: this.clock().toISOString(),
      previousSeq: last?.seq ?? 0,
      previousCheckpointSignature: last?.signature ?? null,
      keyId: this.deps.signer.keyId,
      algorithm: CHECKPOINT_ALGORITHM,
      segment: {
        key,
        from,
        count: to - from + 1,
        firstPrevHash,
        sha256: stored.sha256,
        bytes: stored.bytes,
        encoding: 'gzip',
      },
    };
    const signature = (await this.deps.signer.sign(digestMessage(unsigned))).toString('base64');
    const digest: Digest = { ...unsigned, signature };
    if (!(await this.deps.ledger.claim(digest))) {
      this.latest = undefined; // another sealer extended the chain first: re-read
      return null;
    }
    await this.deps.segments.putDigest(digest);
    this.archivedSeq = digest.seq;
    this.latest = digest;
    await this.deps.ledger.writeHint(digest).catch(() => undefined);
    return digest;
  }

  /** The end of a segment already written at `from` (crash before its digest), if usable. */
  private async orphanEnd(from: number, tailSeq: number): Promise<number | undefined> {
    const ends = (await this.deps.segments.segmentsStartingAt(from))
      .map((k) => Number(SEGMENT_NAME.exec(k)?.[2] ?? Number.NaN))
      .filter((to) => Number.isInteger(to) && to >= from && to <= tailSeq);
    return ends.length > 0 ? Math.min(...ends) : undefined;
  }
}

/** Never seal a range that is not a valid piece of the chain. */
function assertSealable(records: AuditRecord[], from: number, to: number, firstPrevHash: string): void {
  let prev = firstPrevHash;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.seq !== from + i) throw new Error(`refusing to seal ${from}..${to}: seq ${from + i} missing`);
    if (hashOf(r) !== r.hash || r.prevHash !== prev)
      throw new Error(`refusing to seal ${from}..${to}: record ${r.seq} altered or unlinked`);
    prev = r.hash;
  }
  if (records.length !== to - from + 1) throw new Error(`refusing to seal ${from}..${to}: records missing`);
}
