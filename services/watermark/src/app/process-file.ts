import { AppError } from '@medvault/common/errors';
import { createEvent, type Envelope, type EventData } from '@medvault/common/events';
import { type DicomIndex, isDicomType } from '../domain/dicom.js';
import type { ObjectOpener } from '../domain/ports.js';
import { derivativeKey, metadataDescription, outputFor, watermarkLines } from '../domain/rendition.js';
import { indexStudyZip, type ZipDeps } from './index-study-zip.js';
import { type DicomDeps, indexDicom, readBounded } from './process-dicom.js';

export type CleanFile = EventData<'file.clean'>;

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
 * Verifies the clean object against the hash recorded at upload, then (images only) renders
 * the watermarked rendition. Outcomes, each published once per delivery:
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

  const dicomFile = isDicomType(f.contentType);
  let actual: string;
  let data: Buffer | undefined;
  try {
    // DICOM (recognised by content at upload) is kept in memory within a bound to be indexed.
    ({ sha256: actual, data } = await readBounded(await d.opener.open(ref), dicomFile ? d.dicomMaxBytes : 0));
  } catch (e) {
    if (codeOf(e) === 'INTEGRITY_FAILED') return integrityFailed();
    if (codeOf(e) === 'NOT_FOUND') return refused('OBJECT_MISSING', 'clean object not found');
    throw e;
  }
  if (actual !== f.sha256) return integrityFailed(actual);

  const output = outputFor(f.contentType);
  let derivatives: EventData<'file.processed'>['derivatives'] = [];
  let dicom: DicomIndex | undefined;
  if (dicomFile && data) {
    ({ dicom, derivatives } = await indexDicom(d, f, data, actual, d.warn ?? (() => undefined)));
  } else if (f.contentType === 'application/zip') {
    try {
      dicom = await indexStudyZip(d, ref, d.warn ?? (() => undefined));
    } catch (e) {
      if (codeOf(e) === 'INTEGRITY_FAILED') return integrityFailed();
      throw e;
    }
  } else if (output) {
    let rendered: { data: Buffer };
    try {
      rendered = await d.renderer.render(await d.opener.open(ref), {
        output,
        maxPixels: d.maxPixels,
        lines: watermarkLines(d.organisation, actual, f.ownerId),
        description: metadataDescription(f.fileId, actual),
      });
    } catch (e) {
      if (codeOf(e) === 'INTEGRITY_FAILED') return integrityFailed();
      if (codeOf(e) === 'UNPROCESSABLE') {
        const code = (e as AppError).details?.code === 'IMAGE_TOO_LARGE' ? 'IMAGE_TOO_LARGE' : 'IMAGE_UNREADABLE';
        return refused(code, (e as Error).message);
      }
      throw e;
    }
    const key = derivativeKey(f.fileId, f.generation, output.ext);
    const stored = await d.derivatives.put({
      key,
      data: rendered.data,
      context: { fileId: f.fileId, ownerId: f.ownerId },
    });
    derivatives.push({
      kind: 'watermarked',
      bucket: stored.bucket,
      key: stored.key,
      contentType: output.contentType,
      size: rendered.data.length,
    });
  }
  const processed = {
    fileId: f.fileId,
    generation: f.generation,
    sha256: actual,
    sha256Verified: true,
    derivatives,
    ...(dicom ? { dicom } : {}),
  };
  await d.publish(createEvent('file.processed', processed, ctx));
  return 'processed';
}
