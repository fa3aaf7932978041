import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '@medvault/common/ids';
import { repoRoot } from '@medvault/common/testing';
import dcmjs from 'dcmjs';

// Fixtures of the de-identification tests: pydicom's samples (scripts/dicom-samples.sh), an
// instance of a generated series with identifying attributes, and pydicom as an independent reader.
export const SAMPLES = join(repoRoot, '.local/data/dicom');
export const sample = (name: string) => readFileSync(join(SAMPLES, `${name}.dcm`));

export interface Dump {
  elements: Record<string, { vr: string; value?: string; items?: number }>;
  private: string[];
  frames: string[];
  meta: Record<string, string>;
}

/** The file as pydicom (an independent parser) reads it. */
export function dump(data: Buffer): Dump {
  const path = join(tmpdir(), `deid-${newId('file')}.dcm`);
  writeFileSync(path, data);
  const py = join(repoRoot, '.local/venv/bin/python');
  return JSON.parse(execFileSync(py, [join(import.meta.dirname, 'fixtures/dicom-dump.py'), path]).toString());
}

/**
 * An instance of a generated CT series: the CT sample with this instance's SOP Instance UID,
 * the series' identity, and identifying attributes the sample lacks (institution, physicians,
 * birth date, private tags of a second creator, a nested name in a kept sequence).
 */
export function seriesInstance(n: number, series = '1.2.826.0.1.3680043.8.498.2000'): Buffer {
  const src = sample('CT_small');
  const d = dcmjs.data.DicomMessage.readFile(
    src.buffer.slice(src.byteOffset, src.byteOffset + src.length) as ArrayBuffer,
  );
  const sop = `1.2.826.0.1.3680043.8.498.3000.${n}`;
  d.meta['00020003'] = { vr: 'UI', Value: [sop] };
  d.dict['00080018'] = { vr: 'UI', Value: [sop] };
  d.dict['0020000D'] = { vr: 'UI', Value: ['1.2.826.0.1.3680043.8.498.1000'] };
  d.dict['0020000E'] = { vr: 'UI', Value: [series] };
  d.dict['00200052'] = { vr: 'UI', Value: ['1.2.826.0.1.3680043.8.498.4000'] };
  d.dict['00200013'] = { vr: 'IS', Value: [n] };
  d.dict['00100010'] = { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] };
  d.dict['00100020'] = { vr: 'LO', Value: ['MRN-0042'] };
  d.dict['00100030'] = { vr: 'DA', Value: ['19610203'] };
  d.dict['00101040'] = { vr: 'LO', Value: ['1 Main Street'] };
  d.dict['00080090'] = { vr: 'PN', Value: [{ Alphabetic: 'House^Gregory' }] };
  d.dict['00081050'] = { vr: 'PN', Value: [{ Alphabetic: 'Wilson^James' }] };
  d.dict['00081030'] = { vr: 'LO', Value: ['CT chest Jane Doe'] };
  d.dict['00321032'] = { vr: 'PN', Value: [{ Alphabetic: 'Cuddy^Lisa' }] };
  d.dict['00120010'] = { vr: 'LO', Value: ['Sponsor Pharma'] };
  d.dict['00330010'] = { vr: 'LO', Value: ['ACME PRIVATE'] };
  d.dict['00331001'] = { vr: 'LO', Value: ['Doe^Jane again'] };
  d.dict['00081140'] = {
    vr: 'SQ',
    Value: [
      {
        '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] },
        '00081155': { vr: 'UI', Value: ['1.2.826.0.1.3680043.8.498.3000.99'] },
      },
    ],
  };
  d.dict['00081032'] = {
    vr: 'SQ',
    Value: [{ '00080100': { vr: 'SH', Value: ['CTCHEST'] }, '00330010': { vr: 'LO', Value: ['ACME'] } }],
  };
  return Buffer.from(d.write());
}
