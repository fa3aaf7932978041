import { AppError } from '@medvault/common/errors';
import dcmjs from 'dcmjs';
import { deidentifyDataset } from '../domain/deid/deidentify.js';
import type { DicomDeidentifier } from '../domain/ports.js';

const unreadable = (message: string, cause?: unknown) =>
  new AppError('UNPROCESSABLE', message, { cause, details: { code: 'IMAGE_UNREADABLE' } });

/**
 * Part 10 in, Part 10 out, through dcmjs: the dataset is read whole (pixel data as the same
 * bytes, encapsulated frames included), the Basic Profile applied to it by the domain, and written
 * back in the source's transfer syntax. Values are written from the transformed elements only
 * (dcmjs's preserved raw values are not carried over), so nothing removed can come back.
 */
export class DcmjsDeidentifier implements DicomDeidentifier {
  deidentify(data: Buffer, mapUid: (uid: string) => string): Buffer {
    let parsed: InstanceType<typeof dcmjs.data.DicomDict>;
    try {
      parsed = dcmjs.data.DicomMessage.readFile(
        data.buffer.slice(data.byteOffset, data.byteOffset + data.length) as ArrayBuffer,
      );
    } catch (e) {
      throw unreadable('DICOM file cannot be parsed', e);
    }
    const out = deidentifyDataset({ meta: parsed.meta, dict: parsed.dict }, { mapUid });
    const dict = new dcmjs.data.DicomDict(out.meta);
    dict.dict = out.dict;
    try {
      return Buffer.from(dict.write());
    } catch (e) {
      throw unreadable('DICOM file cannot be written back', e);
    }
  }
}
