import type { Checkpoint } from './checkpoint.js';
import type { Digest } from './digest.js';
import type { AuditRecord } from './record.js';

export interface ChainTail {
  seq: number;
  hash: string;
}

/** Where records live. Insert-only: there is deliberately no update or delete here. */
export interface RecordStore {
  /** Monotonic hint of the tail: may lag behind the records, never ahead (written after them). */
  readHint(): Promise<ChainTail | null>;
  writeHint(tail: ChainTail): Promise<void>;
  getBySeq(seq: number): Promise<AuditRecord | null>;
  /**
   * Inserts in order and stops at the first unique-key conflict (taken seq or recorded event id),
   * reporting how many went in before it. Other failures throw.
   */
  insertOrdered(records: AuditRecord[]): Promise<{ inserted: number; conflictAt?: number }>;
  /** Records with seq in [from, to], in seq order; missing ones are simply absent (point reads). */
  getRange(from: number, to: number): Promise<AuditRecord[]>;
  /** Records with seq in [from, to] streamed in storage order (one scan: for long ranges). */
  iterateRange(from: number, to?: number): AsyncIterable<AuditRecord & { _id?: unknown }>;
}

/** Mongo copy of a checkpoint (or digest) chain: coordinates instances (one successor each). */
export interface CheckpointLedger<T extends { seq: number; previousSeq: number } = Checkpoint> {
  readHint(): Promise<T | null>;
  writeHint(cp: T): Promise<void>;
  successorOf(previousSeq: number): Promise<T | null>;
  /** False when another instance already extended `cp.previousSeq` (unique key). */
  claim(cp: T): Promise<boolean>;
}

/** The write-once copy verification trusts (S3, object lock). */
export interface CheckpointArchive {
  keyOf(seq: number): string;
  /** 'exists' when an object is already there (never overwritten). */
  put(cp: Checkpoint): Promise<'created' | 'exists'>;
  /** Every checkpoint object in sequence order, or why it could not be read. */
  list(): Promise<ArchivedCheckpoint[]>;
}

export interface ArchivedCheckpoint {
  key: string;
  seq: number;
  checkpoint?: Checkpoint;
  error?: string;
}

export interface Signer {
  readonly keyId: string;
  sign(message: Buffer): Promise<Buffer>;
}

/** Verifies with the configured, trusted key only: a checkpoint never chooses its own key. */
export interface SignatureVerifier {
  verify(message: Buffer, signature: Buffer): Promise<boolean>;
}

/**
 * Fast memory of event ids already in the log (Redis): lets a writer skip most redeliveries
 * without a round trip per duplicate. Only an optimisation: the unique event id index decides.
 */
export interface RecordedEvents {
  /** The subset of `ids` known to be recorded. */
  recorded(ids: string[]): Promise<Set<string>>;
  remember(ids: string[]): Promise<void>;
}

/** A sealed segment as stored: its object's SHA-256 and size, and the decompressed JSONL. */
export interface StoredSegment {
  sha256: string;
  bytes: number;
  jsonl: Buffer;
}

/** The write-once archive of sealed segments and their signed digests (S3, object lock). */
export interface SegmentStore {
  /** The object key of the segment [from, to]. */
  keyOf(from: number, to: number): string;
  /** Compresses and writes once; when the key exists already, returns what is stored there. */
  writeSegment(key: string, jsonl: Buffer): Promise<StoredSegment & { created: boolean }>;
  /** null when there is no such object. */
  readSegment(key: string): Promise<StoredSegment | null>;
  /** Keys of segments that start at `from` (a sealer that crashed may have left one without digest). */
  segmentsStartingAt(from: number): Promise<string[]>;
  putDigest(d: Digest): Promise<'created' | 'exists'>;
  /** Every digest object in seq order, or why it could not be read. */
  listDigests(): Promise<ArchivedDigest[]>;
}

export interface ArchivedDigest {
  key: string;
  seq: number;
  digest?: Digest;
  error?: string;
}

/** One holder at a time for a while (a sealer); safe to lose: the digest ledger decides. */
export interface Lease {
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}
