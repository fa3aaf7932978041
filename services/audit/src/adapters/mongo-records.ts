import type { Collection, Db, Filter } from 'mongodb';
import { padSeq } from '../domain/checkpoint.js';
import type { ChainTail, RecordStore } from '../domain/ports.js';
import type { AuditRecord } from '../domain/record.js';

/** A record as stored: its seq, zero-padded, is the primary key (unique by construction). */
export type StoredRecord = AuditRecord & { _id: string };
interface HeadDoc {
  _id: string;
  seq: number;
  hash: string;
}

const HEAD_ID = 'records';
const SAFE_INSERT_CHUNK = 100;
// Point lookups in flight per getRange step (one connection pool, FerretDB serialises anyway).
const POINT_READS = 16;

export function recordsCollection(db: Db): Collection<StoredRecord> {
  return db.collection<StoredRecord>('records');
}

/**
 * Why a padded-string _id: FerretDB v1 pushes down equality on string _ids only (point
 * lookups stay fast at millions of records), and the primary key is the one unique index
 * every backend enforces atomically, which makes it the chain's compare-and-set.
 */
export class MongoRecordStore implements RecordStore {
  readonly records: Collection<StoredRecord>;
  private readonly head: Collection<HeadDoc>;

  constructor(db: Db) {
    this.records = recordsCollection(db);
    this.head = db.collection<HeadDoc>('chain_head');
  }

  /** Unique event id (a redelivery never duplicates) and the search indexes. No TTL index, ever. */
  async ensureIndexes(): Promise<void> {
    // One at a time: FerretDB v1 drops the connection when a multi-index createIndexes names
    // indexes that already exist (every restart would), single ones are answered normally.
    const specs: { key: Record<string, 1>; name: string; unique?: boolean }[] = [
      { key: { eventId: 1 }, name: 'eventId_unique', unique: true },
      { key: { 'actor.userId': 1 }, name: 'actor' },
      { key: { patientId: 1 }, name: 'patient' },
      { key: { 'resource.id': 1 }, name: 'resource' },
      { key: { action: 1 }, name: 'action' },
      { key: { occurredAt: 1 }, name: 'occurredAt' },
    ];
    for (const { key, ...options } of specs) await this.records.createIndex(key, options);
  }

  async readHint(): Promise<ChainTail | null> {
    const h = await this.head.findOne({ _id: HEAD_ID });
    return h ? { seq: h.seq, hash: h.hash } : null;
  }

  /** Moves the hint forward only (concurrent writers may report out of order). */
  async writeHint(tail: ChainTail): Promise<void> {
    const r = await this.head.updateOne(
      { _id: HEAD_ID, seq: { $lt: tail.seq } },
      { $set: { seq: tail.seq, hash: tail.hash } },
    );
    if (r.matchedCount === 0) {
      await this.head.insertOne({ _id: HEAD_ID, seq: tail.seq, hash: tail.hash }).catch(() => undefined);
    }
  }

  async getBySeq(seq: number): Promise<AuditRecord | null> {
    const doc = await this.records.findOne({ _id: padSeq(seq) });
    return doc ? withoutId(doc) : null;
  }

  /**
   * FerretDB v1 runs an insertMany as SQL transactions of 100 documents; under concurrency a
   * later 100-chunk of an ordered insert can land although an earlier one failed (measured), which
   * would break the chain. So at most 100 documents per command, chunks strictly one after another.
   */
  async insertOrdered(records: AuditRecord[]): Promise<{ inserted: number; conflictAt?: number }> {
    let inserted = 0;
    for (let i = 0; i < records.length; i += SAFE_INSERT_CHUNK) {
      const r = await this.insertChunk(records.slice(i, i + SAFE_INSERT_CHUNK));
      inserted += r.inserted;
      if (r.conflictAt !== undefined) return { inserted, conflictAt: i + r.conflictAt };
    }
    return { inserted };
  }

  private async insertChunk(records: AuditRecord[]): Promise<{ inserted: number; conflictAt?: number }> {
    if (records.length === 0) return { inserted: 0 };
    try {
      await this.records.insertMany(
        records.map((r) => ({ _id: padSeq(r.seq), ...r })),
        { ordered: true },
      );
      return { inserted: records.length };
    } catch (err) {
      const e = err as {
        code?: number;
        insertedCount?: number;
        writeErrors?: unknown;
        result?: { insertedCount?: number };
      };
      const writeErrors = Array.isArray(e.writeErrors) ? e.writeErrors : e.writeErrors ? [e.writeErrors] : [];
      const first = writeErrors[0] as { index?: number; code?: number } | undefined;
      const code = first?.code ?? e.code;
      if (code !== 11000) throw err;
      const conflictAt = first?.index ?? e.insertedCount ?? e.result?.insertedCount ?? 0;
      return { inserted: conflictAt, conflictAt };
    }
  }

  /**
   * Records [from, to] by point lookups on the primary key, a few at a time: FerretDB v1 pushes
   * down only equality on a string _id (a range or $in is a full scan of the collection, measured
   * at ~4 000 documents/s), so this costs O(to - from) lookups whatever the chain's size.
   */
  async getRange(from: number, to: number): Promise<AuditRecord[]> {
    const out: AuditRecord[] = [];
    for (let s = from; s <= to; s += POINT_READS) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(POINT_READS, to - s + 1) }, (_, k) => this.getBySeq(s + k)),
      );
      for (const r of batch) if (r) out.push(r);
    }
    return out;
  }

  /** Records with seq in [from, to] in storage (= append) order: no server-side sort (see README). */
  iterateRange(from: number, to?: number): AsyncIterable<StoredRecord> {
    const filter: Filter<StoredRecord> = {
      _id: { $gte: padSeq(from), ...(to !== undefined ? { $lte: padSeq(to) } : {}) },
    };
    return this.records.find(filter, { batchSize: 2000 });
  }
}

export function withoutId(doc: StoredRecord | AuditRecord): AuditRecord {
  const { _id, ...rest } = doc as StoredRecord;
  return rest;
}
