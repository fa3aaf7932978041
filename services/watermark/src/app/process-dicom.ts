import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { AppError } from '@medvault/common/errors';
import type { EventData } from '@medvault/common/events';
import { type DicomIndex, isDicomPart10, patientFingerprint } from '../domain/dicom.js';
import type { DerivativeStore, DicomCodec, PatientIdentities, Renderer } from '../domain/ports.js';
import { metadataDescription, watermarkLines } from '../domain/rendition.js';

type Derivative = EventData<'file.processed'>['derivatives'][number];
type CleanFile = EventData<'file.clean'>;

export interface DicomDeps {
  dicom: DicomCodec;
  identities: PatientIdentities;
  renderer: Renderer;
  derivatives: DerivativeStore;
  organisation: string;
  maxPixels: number;
  /** DICOM files up to this size are parsed in memory (header and a frame); larger: hash only. */
  dicomMaxBytes: number;
}

/**
 * Hashes the whole stream and keeps the bytes when they fit in `max`: decoding a frame needs the
 * file in memory (like any image decoder), so the bound is explicit; a larger file is still
 * verified, by streaming, but not indexed.
 */
export async function readBounded(source: Readable, max: number): Promise<{ sha256: string; data?: Buffer }> {
  const hash = createHash('sha256');
  let chunks: Buffer[] | undefined = [];
  let size = 0;
  for await (const c of source as AsyncIterable<Buffer>) {
    hash.update(c);
    size += c.length;
    if (chunks && size <= max) chunks.push(c);
    else chunks = undefined;
  }
  return { sha256: hash.digest('hex'), ...(chunks ? { data: Buffer.concat(chunks) } : {}) };
}

export const previewKey = (fileId: string, generation: number) => `derivatives/${fileId}/g${generation}/preview.png`;

/**
 * Indexes a verified DICOM file and renders its preview. The original is never rewritten: the
 * preview is a separate, watermarked PNG derivative. A file the codec cannot read stays available
 * as its original (served unaltered), without index or preview: DICOM is not only images.
 */
export async function indexDicom(
  d: DicomDeps,
  f: CleanFile,
  data: Buffer,
  sha256: string,
  warn: (msg: string) => void,
): Promise<{ dicom?: DicomIndex; derivatives: Derivative[] }> {
  if (!isDicomPart10(data)) return { derivatives: [] };
  let parsed: ReturnType<DicomCodec['parse']>;
  try {
    parsed = d.dicom.parse(data);
  } catch (e) {
    if (!AppError.is(e) || e.code !== 'UNPROCESSABLE') throw e;
    warn('DICOM header unreadable');
    return { derivatives: [] };
  }
  const dicom: DicomIndex = { ...parsed.index };
  const fingerprint = patientFingerprint(parsed.patient);
  const patientRef = f.patientId ?? f.ownerId;
  if (fingerprint) dicom.patientMismatch = !(await d.identities.agrees(patientRef, fingerprint));

  const pixels = (dicom.rows ?? 0) * (dicom.columns ?? 0);
  if (!dicom.frames || pixels === 0 || pixels > d.maxPixels) return { dicom, derivatives: [] };
  let rendered: { data: Buffer };
  try {
    const png = await parsed.renderPng(0);
    rendered = await d.renderer.render(Readable.from([png]), {
      output: { format: 'png', contentType: 'image/png', ext: 'png' },
      maxPixels: d.maxPixels,
      lines: watermarkLines(d.organisation, sha256, f.ownerId),
      description: metadataDescription(f.fileId, sha256),
    });
  } catch (e) {
    if (!AppError.is(e) || e.code !== 'UNPROCESSABLE') throw e;
    warn('DICOM frame not renderable');
    return { dicom, derivatives: [] };
  }
  const stored = await d.derivatives.put({
    key: previewKey(f.fileId, f.generation),
    data: rendered.data,
    context: { fileId: f.fileId, ownerId: f.ownerId },
  });
  return {
    dicom,
    derivatives: [
      {
        kind: 'preview',
        bucket: stored.bucket,
        key: stored.key,
        contentType: 'image/png',
        size: rendered.data.length,
        sha256: stored.sha256,
      },
    ],
  };
}
