import { AppError } from '@medvault/common/errors';
import { createEvent, type Envelope, type EventData } from '@medvault/common/events';
import { type DicomIndex, isDicomType } from '../domain/dicom.js';
import type { ObjectOpener, VerifiedSource } from '../domain/ports.js';
import {
  derivativeKey,
  metadataDescription,
  type OutputFormat,
  outputFor,
  watermarkLines,
} from '../domain/rendition.js';
import { indexStudyZip, type ZipDeps } from './index-study-zip.js';
import { type DicomDeps, indexDicom, readBounded } from './process-dicom.js';

export type CleanFile = EventData<'file.clean'>;
type Derivative = EventData<'file.processed'>['derivatives'][number];

export interface ProcessDeps extends DicomDeps, ZipDeps {
  opener: ObjectOpener;
  publish(
    event: Envelope<'file.processed'> | Envelope<'file.integrity_failed'> | Envelope<'file.processing_failed'>,
  ): Promise<void>;
  derivativesBucket: string;
  warn?: (msg: string) => void;
}

export type ProcessOutcome = 'processed' | 'integrity_failed' | 'refused';

const codeOf = (e: unknown) => (AppError.is(e) ? e.code : undefined);

/**
 * Verifies the clean object against the hash recorded at upload and (images only) renders the
 * watermarked rendition, from ONE read of the object (one GET, one KMS unwrap, one decryption;
 * issue 18). Nothing is stored or published from a read that did not match. Outcomes, each
 * published once per delivery:
 * - hash mismatch or failed decryption → file.integrity_failed (the file stays blocked);
 * - image refused (decompression bomb, undecodable) → file.processing_failed: the file is NOT
 *   made available, because images are only ever served watermarked;
 * - otherwise file.processed (derivatives [] for non-images, e.g. PDF).
 * Transient failures (S3, KMS) throw: SQS retries, then the watermark DLQ.
 */
export async function processFile(d: ProcessDeps, f: CleanFile, correlationId: string): Promise<ProcessOutcome> {
  const ctx = { correlationId, source: 'watermark' };
  const ref = { bucket: f.bucket, key: f.key, fileId: f.fileId, ownerId: f.ownerId };
  const who = { ownerId: f.ownerId, ...(f.patientId ? { patientId: f.patientId } : {}) };
  const integrityFailed = async (actualSha256?: string) => {
    const data = {
      fileId: f.fileId,
      stage: 'watermark',
      expectedSha256: f.sha256,
      ...who,
      ...(actualSha256 ? { actualSha256 } : {}),
    };
    await d.publish(createEvent('file.integrity_failed', data, ctx));
    return 'integrity_failed' as const;
  };
  const refused = async (code: EventData<'file.processing_failed'>['code'], reason: string) => {
    const data = {
      fileId: f.fileId,
      generation: f.generation,
      ...who,
      stage: 'watermark',
      code,
      reason: reason.slice(0, 300),
    };
    await d.publish(createEvent('file.processing_failed', data, ctx));
    return 'refused' as const;
  };

  const output = outputFor(f.contentType);
  const dicomFile = isDicomType(f.contentType);
  const warn = d.warn ?? (() => undefined);
  let derivatives: Derivative[] = [];
  let dicom: DicomIndex | undefined;
  let src: VerifiedSource | undefined;
  try {
    if (output && !dicomFile) {
      // Images: ONE read. The hash is checked in the stream sharp reads from (see renderVerified).
      src = await d.opener.openVerified(ref, f.sha256);
      const outcome = await renderVerified(d, f, src, output);
      if (outcome.kind === 'refused') return refused(outcome.code, outcome.reason);
      derivatives = [outcome.derivative];
    } else if (f.contentType === 'application/zip') {
      // A study ZIP: ONE read when it can be read to its end (indexed while hashed, issue 18).
      src = await d.opener.openVerified(ref, f.sha256);
      dicom = await indexStudyZip(d, src.stream, warn);
      if (!src.verified()) {
        if (src.mismatch()) return integrityFailed(src.mismatch());
        // The reader gave up early (an unreadable ZIP): the hash still has to be taken in full.
        const { sha256 } = await readBounded(await d.opener.open(ref), 0);
        if (sha256 !== f.sha256) return integrityFailed(sha256);
      }
    } else {
      // DICOM (recognised by content at upload) is kept in memory within a bound to be indexed;
      // anything else is only hashed. One read either way.
      const { sha256, data } = await readBounded(await d.opener.open(ref), dicomFile ? d.dicomMaxBytes : 0);
      if (sha256 !== f.sha256) return integrityFailed(sha256);
      if (dicomFile && data) ({ dicom, derivatives } = await indexDicom(d, f, data, sha256, warn));
    }
  } catch (e) {
    // A failed segment or context has no digest; a verified read that did not match has one.
    if (codeOf(e) === 'INTEGRITY_FAILED') return integrityFailed(src?.mismatch());
    if (codeOf(e) === 'NOT_FOUND') return refused('OBJECT_MISSING', 'clean object not found');
    throw e;
  }
  const processed = {
    fileId: f.fileId,
    generation: f.generation,
    sha256: f.sha256,
    sha256Verified: true,
    derivatives,
    ...(dicom ? { dicom } : {}),
  };
  await d.publish(createEvent('file.processed', processed, ctx));
  return 'processed';
}

type RenderOutcome =
  | { kind: 'rendered'; derivative: Derivative }
  | { kind: 'refused'; code: 'IMAGE_TOO_LARGE' | 'IMAGE_UNREADABLE'; reason: string };

/**
 * Renders the watermarked image from the single verified read, and stores it only once that read
 * matched the recorded hash. Why no rendition of unverified bytes can come out: sharp buffers its
 * whole (encoded) input and decodes only once the input has ended, and the verifying stream
 * releases its last bytes only after the digest matched; so a mismatch fails the stream before
 * sharp decodes anything. `verified()` is checked again before the store all the same, so nothing
 * is written (nothing left behind) unless the read matched. Memory: the encoded image, as sharp
 * holds it (the same bound as before; the decoded pixels are limited by maxPixels).
 * The watermark and metadata name the recorded hash: they are only ever published when equal.
 */
async function renderVerified(
  d: ProcessDeps,
  f: CleanFile,
  src: VerifiedSource,
  output: OutputFormat,
): Promise<RenderOutcome> {
  let rendered: { data: Buffer };
  try {
    rendered = await d.renderer.render(src.stream, {
      output,
      maxPixels: d.maxPixels,
      lines: watermarkLines(d.organisation, f.sha256, f.ownerId),
      description: metadataDescription(f.fileId, f.sha256),
    });
  } catch (e) {
    if (codeOf(e) === 'UNPROCESSABLE' && src.verified()) {
      const code = (e as AppError).details?.code === 'IMAGE_TOO_LARGE' ? 'IMAGE_TOO_LARGE' : 'IMAGE_UNREADABLE';
      return { kind: 'refused', code, reason: (e as Error).message };
    }
    throw e;
  }
  if (!src.verified()) {
    // Cannot happen with sharp's stream input (see above); never publish a rendition if it did.
    throw new AppError('INTERNAL', 'rendered before the source was verified');
  }
  const stored = await d.derivatives.put({
    key: derivativeKey(f.fileId, f.generation, output.ext),
    data: rendered.data,
    context: { fileId: f.fileId, ownerId: f.ownerId },
  });
  return {
    kind: 'rendered',
    derivative: {
      kind: 'watermarked',
      bucket: stored.bucket,
      key: stored.key,
      contentType: output.contentType,
      size: rendered.data.length,
      sha256: stored.sha256,
    },
  };
}
