import type { Checkpoint } from './checkpoint.js';
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
}

/** Mongo copy of the checkpoint chain: coordinates instances (one successor per checkpoint). */
export interface CheckpointLedger {
  readHint(): Promise<Checkpoint | null>;
  writeHint(cp: Checkpoint): Promise<void>;
  successorOf(previousSeq: number): Promise<Checkpoint | null>;
  /** False when another instance already extended `cp.previousSeq` (unique key). */
  claim(cp: Checkpoint): Promise<boolean>;
}

/** The write-once copy verification trusts (S3, object lock). */
export interface CheckpointArchive {
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
