import type { Readable } from 'node:stream';
import { AppError } from '@medvault/common/errors';
import dcmjs from 'dcmjs';
import { Unzip, type UnzipFile, UnzipInflate } from 'fflate';
import { count, type DicomIndex, isDicomPart10, isoDate, text } from '../domain/dicom.js';
import type { ZipDicomReader } from '../domain/zip-study.js';

dcmjs.log.setLevel('error');

type Dict = Record<string, { Value?: unknown[] }>;
const first = (d: Dict, tag: string) => d[tag]?.Value?.[0];

/** The indexed fields of a DICOM header prefix (dcmjs stops at the pixel data, so a prefix is enough). */
function indexOf(prefix: Buffer): DicomIndex | undefined {
  let dict: Dict;
  try {
    const ab = prefix.buffer.slice(prefix.byteOffset, prefix.byteOffset + prefix.length) as ArrayBuffer;
    dict = dcmjs.data.DicomMessage.readFile(ab, { untilTag: '7FE00010', ignoreErrors: true }).dict;
  } catch {
    return undefined; // a member that only looks like DICOM: not indexed
  }
  const index: DicomIndex = {
    studyInstanceUid: text(first(dict, '0020000D'), 64),
    seriesInstanceUid: text(first(dict, '0020000E'), 64),
    sopInstanceUid: text(first(dict, '00080018'), 64),
    modality: text(first(dict, '00080060'), 16),
    studyDate: isoDate(text(first(dict, '00080020'), 32)),
    studyDescription: text(first(dict, '00081030'), 64),
    bodyPart: text(first(dict, '00180015'), 16),
    rows: count(first(dict, '00280010')),
    columns: count(first(dict, '00280011')),
  };
  for (const k of Object.keys(index) as (keyof DicomIndex)[]) if (index[k] === undefined) delete index[k];
  return index;
}

/**
 * The DICOM members of a ZIP, read as the ZIP streams by (fflate's streaming Unzip follows the
 * local headers, data descriptors included): each member is inflated once, only its first
 * `prefixBytes` are kept (the header), so memory stays bounded whatever the size of the archive.
 */
export class FflateZipDicomReader implements ZipDicomReader {
  constructor(
    private readonly prefixBytes = 1024 * 1024,
    private readonly maxMembers = 100_000,
  ) {}

  async indexes(source: Readable): Promise<DicomIndex[]> {
    const found: DicomIndex[] = [];
    let members = 0;
    let failure: unknown;
    const unzip = new Unzip((file: UnzipFile) => {
      if (++members > this.maxMembers || file.name.endsWith('/')) return; // not started: skipped
      const chunks: Buffer[] = [];
      let kept = 0;
      file.ondata = (err, chunk, final) => {
        if (err) {
          failure ??= err;
          return;
        }
        if (kept < this.prefixBytes) {
          chunks.push(Buffer.from(chunk.subarray(0, this.prefixBytes - kept)));
          kept += Math.min(chunk.length, this.prefixBytes - kept);
        }
        if (!final) return;
        const prefix = Buffer.concat(chunks);
        const index = isDicomPart10(prefix) ? indexOf(prefix) : undefined;
        if (index) found.push(index);
      };
      file.start();
    });
    unzip.register(UnzipInflate);
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        unzip.push(chunk);
        if (failure) break;
      }
      if (!failure) unzip.push(new Uint8Array(0), true);
    } catch (e) {
      if (AppError.is(e)) throw e; // the object's own stream failed (integrity, S3): not the ZIP's fault
      failure = e;
    } finally {
      source.destroy();
    }
    if (failure) throw new AppError('UNPROCESSABLE', 'ZIP cannot be read', { cause: failure });
    return found;
  }
}
