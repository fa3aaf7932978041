import type { Readable } from 'node:stream';
import type { DicomIndex, DicomPatient } from './dicom.js';
import type { OutputFormat } from './rendition.js';

export interface ObjectOpener {
  open(ref: { bucket: string; key: string; fileId: string; ownerId: string }): Promise<Readable>;
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
  put(d: {
    key: string;
    data: Buffer;
    context: { fileId: string; ownerId: string };
  }): Promise<{ bucket: string; key: string }>;
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
