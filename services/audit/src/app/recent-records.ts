import type { AuditRecord } from '../domain/record.js';

/**
 * The records this instance appended lately, by seq (bounded). The sealer takes a segment's
 * records from here when it can: reading them back from FerretDB costs a point lookup each.
 * Contents are exactly what was stored (the writer adds them after a successful insert).
 */
export class RecentRecords {
  private readonly bySeq = new Map<number, AuditRecord>();

  constructor(private readonly capacity: number) {}

  add(records: readonly AuditRecord[]): void {
    for (const r of records) this.bySeq.set(r.seq, r);
    // Map iterates in insertion order: drop the oldest first.
    if (this.bySeq.size > this.capacity) {
      let excess = this.bySeq.size - this.capacity;
      for (const seq of this.bySeq.keys()) {
        if (excess-- <= 0) break;
        this.bySeq.delete(seq);
      }
    }
  }

  /** The seqs of [from, to] held here, and the ones that are not. */
  take(from: number, to: number): { found: Map<number, AuditRecord>; missing: number[] } {
    const found = new Map<number, AuditRecord>();
    const missing: number[] = [];
    for (let s = from; s <= to; s++) {
      const r = this.bySeq.get(s);
      if (r) found.set(s, r);
      else missing.push(s);
    }
    return { found, missing };
  }

  /** Forgets everything up to `seq` (sealed). */
  dropThrough(seq: number): void {
    for (const s of this.bySeq.keys()) if (s <= seq) this.bySeq.delete(s);
  }
}
