import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { FflateZipDicomReader } from '../src/adapters/zip-dicom.js';

// The DICOM members of a study ZIP, read as it streams (issue 17). Samples: pydicom's.
const SAMPLES = join(import.meta.dirname, '../../../.local/data/dicom');
const ct = readFileSync(join(SAMPLES, 'CT_small.dcm'));
const mr = readFileSync(join(SAMPLES, 'MR_small.dcm'));
/** Streamed in small chunks, as S3 would deliver it. */
const streamOf = (b: Buffer) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < b.length; i += 4096) yield b.subarray(i, i + 4096);
    })(),
  );

describe('reading the DICOM members of a ZIP', () => {
  it('indexes deflated and stored DICOM members in subfolders and skips the other members', async () => {
    const zip = Buffer.from(
      zipSync({
        'study/ct.dcm': [ct, { level: 6 }],
        'study/mr.dcm': [mr, { level: 0 }],
        'README.txt': Buffer.from('not an image'),
      }),
    );
    const found = await new FflateZipDicomReader().indexes(streamOf(zip));
    expect(found.map((f) => f.modality).sort()).toEqual(['CT', 'MR']);
    expect(found.find((f) => f.modality === 'CT')).toMatchObject({
      studyInstanceUid: '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322',
      studyDate: '2004-01-19',
      rows: 128,
    });
  });

  it('keeps only a bounded prefix of each member', async () => {
    const zip = Buffer.from(zipSync({ 'ct.dcm': ct }));
    const [index] = await new FflateZipDicomReader(4096).indexes(streamOf(zip));
    expect(index?.sopInstanceUid).toBe('1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322');
  });

  it('finds no DICOM member in a garbled ZIP (the file then simply has no index)', async () => {
    expect(await new FflateZipDicomReader().indexes(streamOf(Buffer.from('PK\x03\x04garbage')))).toEqual([]);
  });
});
