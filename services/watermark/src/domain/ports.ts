import type { Readable } from 'node:stream';
import type { DicomIndex, DicomPatient } from './dicom.js';
import type { OutputFormat } from './rendition.js';

export interface ObjectRef {
  bucket: string;
  key: string;
  fileId: string;
  ownerId: string;
}

/** An object decrypted and checked against its recorded SHA-256 in the same single read. */
export interface VerifiedSource {
  /**
   * The plaintext. Its last bytes are released only once the whole object's SHA-256 matched,
   * otherwise it fails with INTEGRITY_FAILED: a reader that acts only on a complete input
   * (sharp buffers its whole input before decoding) never acts on bytes that do not match.
   */
  stream: Readable;
  /** True once the stream was read to its end and matched (the only state worth publishing). */
  verified(): boolean;
  /** The digest actually read, once a mismatch was found (for file.integrity_failed). */
  mismatch(): string | undefined;
}

export interface ObjectOpener {
  open(ref: ObjectRef): Promise<Readable>;
  /** As `open`, verified against `sha256` while it streams (one S3 read, one decryption). */
  openVerified(ref: ObjectRef, sha256: string): Promise<VerifiedSource>;
}

export interface RenderRequest {
  output: OutputFormat;
  maxPixels: number;
  lines: string[];
  /** Goes into the image metadata (EXIF ImageDescription). */
  description: string;
}

/**
 * Renders the watermarked image. Refuses (AppError UNPROCESSABLE with details.code
 * IMAGE_TOO_LARGE / IMAGE_UNREADABLE) what it must not or cannot decode; errors of the
 * source stream (S3, KMS, INTEGRITY_FAILED) propagate unchanged.
 */
export interface Renderer {
  render(source: Readable, req: RenderRequest): Promise<{ data: Buffer; width: number; height: number }>;
}

export interface DerivativeStore {
  /** Stores `data` encrypted; answers where, and the plaintext's SHA-256 computed as it was written. */
  put(d: {
    key: string;
    data: Buffer;
    context: { fileId: string; ownerId: string };
  }): Promise<{ bucket: string; key: string; sha256: string }>;
}

/** A parsed DICOM Part 10 file: its indexed header, its patient identity, its frames. */
export interface ParsedDicom {
  index: DicomIndex;
  patient: DicomPatient;
  /** One frame windowed for display, as PNG (AppError UNPROCESSABLE when it cannot be decoded). */
  renderPng(frame: number): Promise<Buffer>;
}

export interface DicomCodec {
  /** Throws AppError UNPROCESSABLE when the header cannot be parsed. */
  parse(data: Buffer): ParsedDicom;
}

/**
 * Which DICOM patient identity belongs to a MedVault patient: the first one seen (trust on first
 * use, the record of a patient's first study); later files must agree or are flagged.
 */
export interface PatientIdentities {
  agrees(patientRef: string, fingerprint: string): Promise<boolean>;
}

/** DICOM de-identification (issue 17): Part 10 bytes in, de-identified Part 10 bytes out. */
export interface DicomDeidentifier {
  /** Throws AppError UNPROCESSABLE when the file cannot be parsed or written back. */
  deidentify(data: Buffer, mapUid: (uid: string) => string): Buffer;
}

/**
 * The secret salt UIDs are remapped under, one per scope (the requester): created at first use,
 * then the same for ever, so the instances of a study de-identified in separate requests agree.
 */
export interface UidSalts {
  saltFor(scope: string): Promise<string>;
}

/** Where de-identified copies are written (encrypted, in quarantine, under the new file's id). */
export interface CopyStore {
  readonly bucket: string;
  /** Whether an object already lies at `key` (a redelivered request must not rewrite it). */
  has(key: string): Promise<boolean>;
  put(d: { key: string; data: Buffer; context: { fileId: string; ownerId: string } }): Promise<unknown>;
}
