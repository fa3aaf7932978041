import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';

/**
 * Generated imaging studies for tests and benchmarks: minimal but valid DICOM Part 10 instances
 * (CT, explicit VR little endian, 16-bit noise pixels) and a STORE ZIP of a whole study, streamed
 * member by member so a 1 GiB study never sits in memory.
 */
export interface InstanceSpec {
  studyUid: string;
  seriesUid: string;
  sopUid: string;
  rows: number;
  columns: number;
  patientName?: string;
  patientId?: string;
}

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const LONG_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN']);

function element(group: number, el: number, vr: string, value: Buffer | string): Buffer {
  let v = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  // Values have even length: UIDs pad with NUL, text with a space.
  if (v.length % 2) v = Buffer.concat([v, Buffer.from(vr === 'UI' ? '\0' : vr === 'OB' ? '\0' : ' ', 'latin1')]);
  const long = LONG_VRS.has(vr);
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(el, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(v.length, 8);
  else head.writeUInt16LE(v.length, 6);
  return Buffer.concat([head, v]);
}

const us = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};

/** One DICOM Part 10 instance with `rows` x `columns` 16-bit pixels of noise. */
export function dicomInstance(s: InstanceSpec): Buffer {
  const meta = Buffer.concat([
    element(0x0002, 0x0001, 'OB', Buffer.from([0, 1])),
    element(0x0002, 0x0002, 'UI', CT_IMAGE_STORAGE),
    element(0x0002, 0x0003, 'UI', s.sopUid),
    element(0x0002, 0x0010, 'UI', EXPLICIT_LE),
  ]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(meta.length);
  const dataset = Buffer.concat([
    element(0x0008, 0x0016, 'UI', CT_IMAGE_STORAGE),
    element(0x0008, 0x0018, 'UI', s.sopUid),
    element(0x0008, 0x0020, 'DA', '20240115'),
    element(0x0008, 0x0060, 'CS', 'CT'),
    element(0x0008, 0x1030, 'LO', 'GENERATED STUDY'),
    element(0x0010, 0x0010, 'PN', s.patientName ?? 'Generated^Patient'),
    element(0x0010, 0x0020, 'LO', s.patientId ?? 'GEN-0001'),
    element(0x0018, 0x0015, 'CS', 'CHEST'),
    element(0x0020, 0x000d, 'UI', s.studyUid),
    element(0x0020, 0x000e, 'UI', s.seriesUid),
    element(0x0028, 0x0002, 'US', us(1)),
    element(0x0028, 0x0004, 'CS', 'MONOCHROME2'),
    element(0x0028, 0x0010, 'US', us(s.rows)),
    element(0x0028, 0x0011, 'US', us(s.columns)),
    element(0x0028, 0x0100, 'US', us(16)),
    element(0x0028, 0x0101, 'US', us(12)),
    element(0x0028, 0x0102, 'US', us(11)),
    element(0x0028, 0x0103, 'US', us(0)),
    element(0x7fe0, 0x0010, 'OW', noise12(s.rows * s.columns)),
  ]);
  return Buffer.concat([
    Buffer.alloc(128),
    Buffer.from('DICM', 'latin1'),
    element(0x0002, 0x0000, 'UL', groupLength),
    meta,
    dataset,
  ]);
}

/** 12-bit noise in 16-bit words: random bytes with the top nibble cleared. */
function noise12(pixels: number): Buffer {
  const b = randomBytes(pixels * 2);
  for (let i = 1; i < b.length; i += 2) b[i] = (b[i] ?? 0) & 0x0f;
  return b;
}

/** Bytes of one generated instance of `rows` x `columns` (all instances of a study have the same size). */
export const instanceBytes = (rows: number, columns: number) =>
  dicomInstance({ studyUid: '1', seriesUid: '1', sopUid: '1', rows, columns }).length;

/**
 * A STORE ZIP of one CT study whose total size is about `totalBytes`: `instance-NNNNN.dcm`
 * members of 512x512 pixels (~512 KiB each), generated while the stream is read.
 */
export function studyZip(totalBytes: number, rows = 512, columns = 512): { stream: Readable; members: number } {
  const root = `2.25.${BigInt(`0x${randomBytes(12).toString('hex')}`)}`;
  const per = instanceBytes(rows, columns) + 30 + 46 + 2 * 'instance-00000.dcm'.length;
  const members = Math.max(1, Math.round(totalBytes / per));
  async function* generate(): AsyncGenerator<Buffer> {
    const central: Buffer[] = [];
    let offset = 0;
    for (let i = 0; i < members; i++) {
      const name = Buffer.from(`instance-${String(i).padStart(5, '0')}.dcm`);
      const data = dicomInstance({
        studyUid: `${root}.1`,
        seriesUid: `${root}.1.1`,
        sopUid: `${root}.1.1.${i + 1}`,
        rows,
        columns,
      });
      const crc = crc32(data);
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(0x21, 12); // 1980-01-01
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(data.length, 18);
      local.writeUInt32LE(data.length, 22);
      local.writeUInt16LE(name.length, 26);
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(20, 4);
      c.writeUInt16LE(20, 6);
      c.writeUInt16LE(0x21, 14);
      c.writeUInt32LE(crc, 16);
      c.writeUInt32LE(data.length, 20);
      c.writeUInt32LE(data.length, 24);
      c.writeUInt16LE(name.length, 28);
      c.writeUInt32LE(offset, 42);
      central.push(c, name);
      offset += 30 + name.length + data.length;
      yield Buffer.concat([local, name, data]);
    }
    const cd = Buffer.concat(central);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(members, 8);
    end.writeUInt16LE(members, 10);
    end.writeUInt32LE(cd.length, 12);
    end.writeUInt32LE(offset, 16);
    yield Buffer.concat([cd, end]);
  }
  return { stream: Readable.from(generate()), members };
}
