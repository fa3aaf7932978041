import { AppError } from '@medvault/common/errors';
import dcmjsImaging from 'dcmjs-imaging';
import sharp from 'sharp';
import { count, type DicomIndex, type DicomPatient, isoDate, text } from '../domain/dicom.js';
import type { DicomCodec, ParsedDicom } from '../domain/ports.js';

const { DicomImage, NativePixelDecoder } = dcmjsImaging;

/** PN values come naturalized by dcmjs as [{Alphabetic: "Family^Given"}] (or a plain string). */
function personName(v: unknown): string | undefined {
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object' && 'Alphabetic' in first) return text(first.Alphabetic, 256);
  return undefined;
}

const unreadable = (message: string, cause?: unknown) =>
  new AppError('UNPROCESSABLE', message, { cause, details: { code: 'IMAGE_UNREADABLE' } });

/**
 * DICOM through dcmjs (header) and dcmjs-imaging (pixels: uncompressed, RLE, JPEG baseline and
 * lossless, JPEG-LS, JPEG 2000, through its bundled WebAssembly codecs, offline). The WebAssembly
 * module is loaded once, on the first frame rendered.
 */
export class DcmjsCodec implements DicomCodec {
  private codecs: Promise<void> | undefined;

  parse(data: Buffer): ParsedDicom {
    let image: InstanceType<typeof DicomImage>;
    try {
      image = new DicomImage(data.buffer.slice(data.byteOffset, data.byteOffset + data.length) as ArrayBuffer);
    } catch (e) {
      throw unreadable('DICOM header cannot be parsed', e);
    }
    const e = image.getElements();
    const index: DicomIndex = {
      studyInstanceUid: text(e.StudyInstanceUID, 64),
      seriesInstanceUid: text(e.SeriesInstanceUID, 64),
      sopInstanceUid: text(e.SOPInstanceUID, 64),
      modality: text(e.Modality, 16),
      studyDate: isoDate(text(e.StudyDate, 32)),
      studyDescription: text(e.StudyDescription, 64),
      bodyPart: text(e.BodyPartExamined, 16),
      rows: count(e.Rows),
      columns: count(e.Columns),
      frames: count(e.NumberOfFrames) ?? (e.PixelData === undefined ? 0 : 1),
      transferSyntaxUid: text(image.getTransferSyntaxUid(), 64),
    };
    for (const k of Object.keys(index) as (keyof DicomIndex)[]) if (index[k] === undefined) delete index[k];
    const patient: DicomPatient = {
      id: text(e.PatientID, 64),
      name: personName(e.PatientName),
      birthDate: text(e.PatientBirthDate, 16),
    };
    return {
      index,
      patient,
      renderPng: (frame) => this.renderPng(image, frame),
    };
  }

  /** One frame windowed for display (the window from the header, else from the pixel values) as PNG. */
  private async renderPng(image: InstanceType<typeof DicomImage>, frame: number): Promise<Buffer> {
    this.codecs ??= NativePixelDecoder.initializeAsync();
    await this.codecs;
    let r: ReturnType<typeof image.render>;
    try {
      r = image.render({ frame, renderOverlays: false });
    } catch (e) {
      throw unreadable('DICOM frame cannot be decoded', e);
    }
    return sharp(Buffer.from(r.pixels), { raw: { width: r.width, height: r.height, channels: 4 } })
      .removeAlpha()
      .png()
      .toBuffer();
  }
}
