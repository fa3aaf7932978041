import { randomBytes } from 'node:crypto';
import { crc32, deflateRawSync } from 'node:zlib';

/**
 * Hand-made ZIP writer for attack fixtures: it can write every layout the scanner must handle
 * (STORE/DEFLATE, ZIP64 local headers, data descriptors, encrypted flag) and the malformed ones
 * an attacker would try (central directory disagreeing with the local headers, hidden entries).
 * The layouts mirror what Python's `zipfile` writes with `force_zip64=True`:
 * - `zip64: true` alone: local sizes 0xFFFFFFFF + ZIP64 extra with the real sizes (seekable output);
 * - `zip64: true, descriptor: true`: streamed (non-seekable output): flag bit 3, local CRC 0,
 *   sizes 0xFFFFFFFF, ZIP64 extra of zeros, data descriptor with 8-byte sizes after the data.
 */
export interface ZipEntry {
  name: string;
  data: Buffer;
  deflate?: boolean;
  /** Sets the "encrypted" flag and stores random bytes as ZipCrypto data. */
  encrypted?: boolean;
  zip64?: boolean;
  descriptor?: boolean;
  /** Written as a local entry but left out of the central directory. */
  hidden?: boolean;
  /** Name the central directory gives the entry (differs from the local header's). */
  centralName?: string;
  /** Uncompressed size the central directory claims (differs from the real one). */
  centralSize?: number;
  /** Listed twice in the central directory (two members sharing one local entry). */
  listedTwice?: boolean;
  /** Records a wrong CRC-32 (in both headers), as for corrupted data. */
  badCrc?: boolean;
}

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

/**
 * `zip64End`: adds a ZIP64 end record and locator before the end record, as streaming writers
 * (Info-ZIP's `zip -`) do even when the 32-bit fields suffice.
 */
export function zip(entries: ZipEntry[], opts: { prefix?: Buffer; comment?: Buffer; zip64End?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = opts.prefix?.length ?? 0;
  if (opts.prefix) parts.push(opts.prefix);
  let listed = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.encrypted ? randomBytes(12 + e.data.length) : e.deflate ? deflateRawSync(e.data) : e.data;
    const method = e.deflate && !e.encrypted ? 8 : 0;
    const crc = (crc32(e.data) ^ (e.badCrc ? 1 : 0)) >>> 0;
    const flags = (e.encrypted ? 1 : 0) | (e.descriptor ? 8 : 0);
    const version = e.zip64 ? 45 : 20;
    let localCrc = crc;
    let localC = body.length;
    let localU = e.data.length;
    let extra = Buffer.alloc(0);
    if (e.zip64) {
      extra = Buffer.concat([
        u16(1),
        u16(16),
        u64(e.descriptor ? 0 : e.data.length),
        u64(e.descriptor ? 0 : body.length),
      ]);
      localC = 0xffffffff;
      localU = 0xffffffff;
    }
    if (e.descriptor) localCrc = 0;
    if (e.descriptor && !e.zip64) {
      localC = 0;
      localU = 0;
    }
    const local = Buffer.concat([
      u32(0x04034b50),
      u16(version),
      u16(flags),
      u16(method),
      u16(0),
      u16(0x21),
      u32(localCrc),
      u32(localC),
      u32(localU),
      u16(name.length),
      u16(extra.length),
      name,
      extra,
    ]);
    const descriptor = !e.descriptor
      ? Buffer.alloc(0)
      : e.zip64
        ? Buffer.concat([u32(0x08074b50), u32(crc), u64(body.length), u64(e.data.length)])
        : Buffer.concat([u32(0x08074b50), u32(crc), u32(body.length), u32(e.data.length)]);
    parts.push(local, body, descriptor);
    const copies = e.hidden ? 0 : e.listedTwice ? 2 : 1;
    for (let k = 0; k < copies; k++) {
      const cname = Buffer.from(e.centralName ?? e.name, 'utf8');
      centrals.push(
        Buffer.concat([
          u32(0x02014b50),
          u16(0x0300 | version),
          u16(version),
          u16(flags),
          u16(method),
          u16(0),
          u16(0x21),
          u32(crc),
          u32(body.length),
          u32(e.centralSize ?? e.data.length),
          u16(cname.length),
          u16(0),
          u16(0),
          u16(0),
          u16(0),
          u32(0),
          u32(offset),
          cname,
        ]),
      );
      listed++;
    }
    offset += local.length + body.length + descriptor.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.concat([
    u32(0x06054b50),
    u16(0),
    u16(0),
    u16(listed),
    u16(listed),
    u32(cd.length),
    u32(offset),
    u16(opts.comment?.length ?? 0),
    opts.comment ?? Buffer.alloc(0),
  ]);
  if (!opts.zip64End) return Buffer.concat([...parts, cd, end]);
  const at = offset + cd.length;
  const record = Buffer.concat([
    u32(0x06064b50),
    u64(44),
    u16(45),
    u16(45),
    u32(0),
    u32(0),
    u64(listed),
    u64(listed),
    u64(cd.length),
    u64(offset),
  ]);
  const locator = Buffer.concat([u32(0x07064b50), u32(0), u64(at), u32(1)]);
  return Buffer.concat([...parts, cd, record, locator, end]);
}

/** The repo's own test signature (infra/clamav/db/test.ndb: Medvault-Test-Malware). */
export const TEST_MALWARE = Buffer.from('MEDVAULT-TEST-MALWARE-SIGNATURE', 'ascii');

/** A "document" carrying the test signature amid ordinary text, as an attacker would hide it. */
export function malwareDoc(): Buffer {
  return Buffer.concat([Buffer.from('Quarterly report\n'.repeat(40)), TEST_MALWARE, Buffer.from('\nend\n')]);
}
