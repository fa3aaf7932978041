import { AppError } from '@medvault/common/errors';
import dcmjs from 'dcmjs';
import type { DicomHeaderReader, DicomJsonDataset, DicomJsonElement } from '../domain/dicomweb.js';

// dcmjs warns on the console about every odd element; the service logs what matters itself.
dcmjs.log.setLevel('error');

const PIXEL_DATA = '7FE00010';
/** Binary values (OB/OW/UN…) up to this size are given inline (base64); larger ones are left out. */
const MAX_INLINE = 4096;

function element(e: { vr: string; Value?: unknown[] }): DicomJsonElement | undefined {
  const out: DicomJsonElement = { vr: e.vr };
  if (!e.Value?.length) return out;
  const first = e.Value[0];
  if (first instanceof ArrayBuffer) {
    const bytes = Buffer.concat(e.Value.filter((v) => v instanceof ArrayBuffer).map((v) => Buffer.from(v)));
    return bytes.length <= MAX_INLINE ? { vr: e.vr, InlineBinary: bytes.toString('base64') } : undefined;
  }
  if (e.vr === 'SQ') {
    out.Value = e.Value.map((item) => dataset(item as Record<string, { vr: string; Value?: unknown[] }>));
    return out;
  }
  out.Value = e.Value;
  return out;
}

function dataset(dict: Record<string, { vr: string; Value?: unknown[] }>): DicomJsonDataset {
  const out: DicomJsonDataset = {};
  for (const [tag, e] of Object.entries(dict)) {
    if (tag === PIXEL_DATA) continue;
    const v = element(e);
    if (v) out[tag] = v;
  }
  return out;
}

/**
 * The DICOM JSON model of a Part 10 header through dcmjs, from a prefix of the file: parsing stops
 * at the pixel data, so the bulk of an image is never read (PS3.18 F.2: WADO-RS metadata).
 */
export class DcmjsHeaderReader implements DicomHeaderReader {
  read(prefix: Buffer): DicomJsonDataset {
    try {
      const ab = prefix.buffer.slice(prefix.byteOffset, prefix.byteOffset + prefix.length) as ArrayBuffer;
      const parsed = dcmjs.data.DicomMessage.readFile(ab, {
        untilTag: PIXEL_DATA,
        includeUntilTagValue: false,
        ignoreErrors: true,
      });
      return dataset(parsed.dict);
    } catch (e) {
      throw new AppError('UNPROCESSABLE', 'DICOM header cannot be parsed', { cause: e });
    }
  }
}
