import type { Readable } from 'node:stream';
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
