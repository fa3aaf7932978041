import type { Readable } from 'node:stream';
import type { Envelope } from '@medvault/common/events';
import type { EngineVersion, ScanReport } from './verdict.js';

/** Where the bytes to scan come from: decrypted, authenticated plaintext. */
export interface ObjectOpener {
  open(ref: { bucket: string; key: string; fileId: string; ownerId?: string }): Promise<Readable>;
}

/**
 * The antivirus engine: raw INSTREAM replies for a stream (the whole file, and each archive
 * member on its own) plus the scanner's archive findings, and its engine/database version.
 */
export interface VirusScanner {
  scan(stream: Readable, maxBytes: number): Promise<ScanReport>;
  version(): Promise<EngineVersion>;
}

export interface VerdictRecord {
  fileId: string;
  generation: number;
  /** 'upload' for the first scan of a generation, 'rescan:<request event id>' for rescans. */
  round: string;
  verdict: 'clean' | 'infected' | 'error';
  /** The exact event published, re-emitted unchanged (same id) on redelivery. */
  event: Envelope<'file.scanned'>;
  recordedAt: Date;
}

/** Verdict memory: one record per (fileId, generation, round), enforced by a unique index. */
export interface VerdictStore {
  /** Records that `generation` exists and returns the highest generation seen for the file. */
  noteGeneration(fileId: string, generation: number): Promise<number>;
  find(fileId: string, generation: number, round: string): Promise<VerdictRecord | null>;
  /** Inserts, or returns the record another instance stored first (the one to publish). */
  insertOrGet(record: VerdictRecord): Promise<VerdictRecord>;
}
