/**
 * Pure checks of ZIP records: does a member's local header (what streaming extractors and
 * clamd's own parser read) say the same as its central directory record (what yauzl and most
 * desktop tools read)? An archive whose two views disagree shows different content to
 * different readers, so the scanner refuses it instead of guessing which one the victim uses.
 */

/** One member as the central directory describes it (sizes already ZIP64-resolved). */
export interface CentralEntry {
  nameRaw: Buffer;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
}

export interface LocalHeader {
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  nameLength: number;
  extraLength: number;
}

export const LOCAL_HEADER_SIZE = 30;
const MAX32 = 0xffffffff;
export const FLAG_ENCRYPTED = 0x1;
export const FLAG_DESCRIPTOR = 0x8;
const DESCRIPTOR_SIG = 0x08074b50;

export function parseLocalHeader(b: Buffer): LocalHeader | null {
  if (b.length < LOCAL_HEADER_SIZE || b.readUInt32LE(0) !== 0x04034b50) return null;
  return {
    flags: b.readUInt16LE(6),
    method: b.readUInt16LE(8),
    crc32: b.readUInt32LE(14),
    compressedSize: b.readUInt32LE(18),
    uncompressedSize: b.readUInt32LE(22),
    nameLength: b.readUInt16LE(26),
    extraLength: b.readUInt16LE(28),
  };
}

/** The ZIP64 extended information field (id 1) of an extra block, if present. */
export function zip64Field(extra: Buffer): Buffer | null {
  for (let i = 0; i + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(i);
    const len = extra.readUInt16LE(i + 2);
    if (i + 4 + len > extra.length) return null;
    if (id === 1) return extra.subarray(i + 4, i + 4 + len);
    i += 4 + len;
  }
  return null;
}

/** Sizes a local header really declares: ZIP64 markers resolved through its extra field. */
function localSizes(h: LocalHeader, extra: Buffer): { compressed: number; uncompressed: number } | null {
  if (h.compressedSize !== MAX32 && h.uncompressedSize !== MAX32) {
    return { compressed: h.compressedSize, uncompressed: h.uncompressedSize };
  }
  const z = zip64Field(extra);
  if (!z) return null;
  let i = 0;
  const next = () => {
    if (i + 8 > z.length) return null;
    const v = Number(z.readBigUInt64LE(i));
    i += 8;
    return v;
  };
  // The ZIP64 field lists only the sizes whose 32-bit field is 0xFFFFFFFF, uncompressed first.
  const uncompressed = h.uncompressedSize === MAX32 ? next() : h.uncompressedSize;
  const compressed = h.compressedSize === MAX32 ? next() : h.compressedSize;
  return uncompressed === null || compressed === null ? null : { compressed, uncompressed };
}

/** Why the local header disagrees with the central record, or null when they agree. */
export function compareLocal(c: CentralEntry, h: LocalHeader, name: Buffer, extra: Buffer): string | null {
  if (!name.equals(c.nameRaw)) return 'local and central file names differ';
  if (h.method !== c.method) return 'local and central compression methods differ';
  if ((h.flags & (FLAG_ENCRYPTED | FLAG_DESCRIPTOR)) !== (c.flags & (FLAG_ENCRYPTED | FLAG_DESCRIPTOR))) {
    return 'local and central flags differ';
  }
  const sizes = localSizes(h, extra);
  if (!sizes) return 'local header has ZIP64 size markers but no ZIP64 sizes';
  if (h.flags & FLAG_DESCRIPTOR) {
    // Streamed entry: sizes/CRC come after the data; the header may hold zeros (or the real values).
    const zero = sizes.compressed === 0 && sizes.uncompressed === 0;
    const same = sizes.compressed === c.compressedSize && sizes.uncompressed === c.uncompressedSize;
    if (!zero && !same) return 'local and central sizes differ';
    if (h.crc32 !== 0 && h.crc32 !== c.crc32) return 'local and central CRC-32 differ';
    return null;
  }
  if (sizes.compressed !== c.compressedSize || sizes.uncompressed !== c.uncompressedSize) {
    return 'local and central sizes differ';
  }
  if (h.crc32 !== c.crc32) return 'local and central CRC-32 differ';
  return null;
}

/**
 * Length of the data descriptor at the start of `b` (optional signature; 8-byte sizes when the
 * entry uses ZIP64) and whether it matches the central record. `b` holds at least 24 bytes or
 * what is left before the central directory.
 */
export function checkDescriptor(c: CentralEntry, b: Buffer, zip64: boolean): { length: number; error?: string } {
  const off = b.length >= 4 && b.readUInt32LE(0) === DESCRIPTOR_SIG ? 4 : 0;
  const width = zip64 ? 8 : 4;
  const length = off + 4 + 2 * width;
  if (b.length < length) return { length, error: 'data descriptor truncated' };
  const read = (at: number) => (zip64 ? Number(b.readBigUInt64LE(at)) : b.readUInt32LE(at));
  const crc = b.readUInt32LE(off);
  const compressed = read(off + 4);
  const uncompressed = read(off + 4 + width);
  if (crc !== c.crc32 || compressed !== c.compressedSize || uncompressed !== c.uncompressedSize) {
    return { length, error: 'data descriptor and central record differ' };
  }
  return { length };
}

/** Does the local header of a streamed entry use ZIP64 (so its descriptor has 8-byte sizes)? */
export function usesZip64(h: LocalHeader, extra: Buffer, c: CentralEntry): boolean {
  return (
    zip64Field(extra) !== null || h.compressedSize === MAX32 || c.compressedSize >= MAX32 || c.uncompressedSize >= MAX32
  );
}
