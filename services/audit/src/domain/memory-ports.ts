import { generateKeyPairSync, sign, verify } from 'node:crypto';
import type { Checkpoint } from './checkpoint.js';
import type {
  ArchivedCheckpoint,
  ChainTail,
  CheckpointArchive,
  CheckpointLedger,
  RecordStore,
  SignatureVerifier,
  Signer,
} from './ports.js';
import type { AuditRecord } from './record.js';

/** In-memory ports for unit tests of the domain (integration tests use Mongo, S3 and KMS). */
export class MemoryRecordStore implements RecordStore {
  readonly bySeq = new Map<number, AuditRecord>();
  readonly eventIds = new Set<string>();
  hint: ChainTail | null = null;
  /** Yields between reads and writes so interleavings of concurrent writers really happen. */
  private readonly tick = () => new Promise<void>((r) => setImmediate(r));

  async readHint() {
    await this.tick();
    return this.hint;
  }
  async writeHint(t: ChainTail) {
    if (!this.hint || this.hint.seq < t.seq) this.hint = t;
  }
  async getBySeq(seq: number) {
    await this.tick();
    return this.bySeq.get(seq) ?? null;
  }
  async getRange(from: number, to: number) {
    await this.tick();
    const out: AuditRecord[] = [];
    for (let s = from; s <= to; s++) {
      const r = this.bySeq.get(s);
      if (r) out.push(r);
    }
    return out;
  }
  async *iterateRange(from: number, to = Number.POSITIVE_INFINITY) {
    for (const r of [...this.bySeq.values()].sort((a, b) => a.seq - b.seq)) if (r.seq >= from && r.seq <= to) yield r;
  }
  async insertOrdered(records: AuditRecord[]) {
    await this.tick();
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (this.bySeq.has(r.seq) || this.eventIds.has(r.eventId)) return { inserted: i, conflictAt: i };
      this.bySeq.set(r.seq, structuredClone(r));
      this.eventIds.add(r.eventId);
    }
    return { inserted: records.length };
  }
  /** Storage order = insertion order of seqs (like a table's natural order). */
  async *iterate(): AsyncIterable<AuditRecord> {
    for (const r of this.bySeq.values()) yield r;
  }
}

export class MemoryLedger implements CheckpointLedger {
  readonly byPrev = new Map<number, Checkpoint>();
  hint: Checkpoint | null = null;
  async readHint() {
    return this.hint;
  }
  async writeHint(cp: Checkpoint) {
    if (!this.hint || this.hint.seq < cp.seq) this.hint = cp;
  }
  async successorOf(prev: number) {
    return this.byPrev.get(prev) ?? null;
  }
  async claim(cp: Checkpoint) {
    if (this.byPrev.has(cp.previousSeq)) return false;
    this.byPrev.set(cp.previousSeq, cp);
    return true;
  }
}

export class MemoryArchive implements CheckpointArchive {
  readonly objects = new Map<number, string>();
  keyOf(seq: number) {
    return String(seq);
  }
  async put(cp: Checkpoint) {
    if (this.objects.has(cp.seq)) return 'exists' as const;
    this.objects.set(cp.seq, JSON.stringify(cp));
    return 'created' as const;
  }
  async list(): Promise<ArchivedCheckpoint[]> {
    return [...this.objects.keys()]
      .sort((a, b) => a - b)
      .map((seq) => ({ key: String(seq), seq, checkpoint: JSON.parse(this.objects.get(seq)!) as Checkpoint }));
  }
}

/** A local P-256 key standing in for KMS. */
export function localKeyPair(keyId = 'local-test-key'): { signer: Signer; verifier: SignatureVerifier } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    signer: { keyId, sign: async (m) => sign('sha256', m, privateKey) },
    verifier: { verify: async (m, s) => verify('sha256', m, publicKey, s) },
  };
}
