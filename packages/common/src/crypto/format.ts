import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from '../errors/index.js';
import { canonicalContext, type EncryptionContext } from './keys.js';

/**
 * MedVault encrypted object format v1 (docs/encryption-format.md):
 *   magic "MVE1" | version u8 | headerLength u32 | segmentSize u32 | noncePrefix 7B | salt 16B |
 *   keyId (u16 len + utf8) | wrappedKey (u16 len + bytes) | context (u16 len + canonical JSON)
 * followed by segments: AES-256-GCM(segment_i) || tag (16B), each segment `segmentSize`
 * plaintext bytes except the last (0..segmentSize). Nonce = noncePrefix || u32 index || lastFlag.
 * The segment key is HKDF-SHA256(dataKey, salt, "medvault/stream/v1" || SHA-256(header)), so
 * any change to the header (context, sizes, key id) makes every segment fail authentication.
 */
export const MAGIC = Buffer.from('MVE1');
export const FORMAT_VERSION = 1;
export const TAG_LENGTH = 16;
export const DEFAULT_SEGMENT_SIZE = 64 * 1024;
const FIXED = 4 + 1 + 4 + 4 + 7 + 16;

export interface Header {
  segmentSize: number;
  noncePrefix: Buffer;
  salt: Buffer;
  keyId: string;
  wrappedKey: Buffer;
  context: EncryptionContext;
  /** The header's exact bytes (authenticated through key derivation). */
  raw: Buffer;
}

function lenPrefixed(b: Buffer): Buffer {
  if (b.length > 0xffff) throw new AppError('INTERNAL', 'Header field too long');
  const l = Buffer.alloc(2);
  l.writeUInt16BE(b.length);
  return Buffer.concat([l, b]);
}

export function encodeHeader(h: Omit<Header, 'raw' | 'noncePrefix' | 'salt'> & Partial<Header>): Header {
  const noncePrefix = h.noncePrefix ?? randomBytes(7);
  const salt = h.salt ?? randomBytes(16);
  const vars = Buffer.concat([
    lenPrefixed(Buffer.from(h.keyId, 'utf8')),
    lenPrefixed(h.wrappedKey),
    lenPrefixed(Buffer.from(canonicalContext(h.context), 'utf8')),
  ]);
  const fixed = Buffer.alloc(FIXED);
  MAGIC.copy(fixed, 0);
  fixed.writeUInt8(FORMAT_VERSION, 4);
  fixed.writeUInt32BE(FIXED + vars.length, 5);
  fixed.writeUInt32BE(h.segmentSize, 9);
  noncePrefix.copy(fixed, 13);
  salt.copy(fixed, 20);
  return { ...h, noncePrefix, salt, raw: Buffer.concat([fixed, vars]) };
}

/** Length of the header if `buf` starts with one and holds enough bytes to tell; else null. */
export function headerLength(buf: Buffer): number | null {
  if (buf.length < 9) return null;
  if (!buf.subarray(0, 4).equals(MAGIC)) throw new AppError('INTEGRITY_FAILED', 'Not a MedVault encrypted object');
  if (buf.readUInt8(4) !== FORMAT_VERSION)
    throw new AppError('INTEGRITY_FAILED', 'Unsupported encryption format version');
  const len = buf.readUInt32BE(5);
  if (len < FIXED || len > 70_000) throw new AppError('INTEGRITY_FAILED', 'Corrupt encryption header');
  return len;
}

export function decodeHeader(buf: Buffer): Header {
  const len = headerLength(buf);
  if (len === null || buf.length < len) throw new AppError('INTEGRITY_FAILED', 'Truncated encryption header');
  const raw = Buffer.from(buf.subarray(0, len));
  const segmentSize = raw.readUInt32BE(9);
  if (segmentSize < 1024 || segmentSize > 16 * 1024 * 1024)
    throw new AppError('INTEGRITY_FAILED', 'Corrupt segment size');
  let off = FIXED;
  const take = () => {
    if (off + 2 > len) throw new AppError('INTEGRITY_FAILED', 'Corrupt encryption header');
    const l = raw.readUInt16BE(off);
    const v = raw.subarray(off + 2, off + 2 + l);
    if (v.length !== l) throw new AppError('INTEGRITY_FAILED', 'Corrupt encryption header');
    off += 2 + l;
    return v;
  };
  const keyId = take().toString('utf8');
  const wrappedKey = Buffer.from(take());
  let context: EncryptionContext;
  try {
    context = JSON.parse(take().toString('utf8')) as EncryptionContext;
  } catch {
    throw new AppError('INTEGRITY_FAILED', 'Corrupt encryption context');
  }
  return {
    segmentSize,
    noncePrefix: raw.subarray(13, 20),
    salt: raw.subarray(20, 36),
    keyId,
    wrappedKey,
    context,
    raw,
  };
}

export function segmentKey(dataKey: Buffer, header: Header): Buffer {
  const info = Buffer.concat([Buffer.from('medvault/stream/v1'), createHash('sha256').update(header.raw).digest()]);
  return Buffer.from(hkdfSync('sha256', dataKey, header.salt, info, 32));
}

export function nonceFor(header: Header, index: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  header.noncePrefix.copy(n, 0);
  n.writeUInt32BE(index, 7);
  n.writeUInt8(last ? 1 : 0, 11);
  return n;
}

export function segmentCount(plainSize: number, segmentSize: number): number {
  return Math.max(1, Math.ceil(plainSize / segmentSize));
}

/** Size of the stored object for a plaintext of `plainSize` bytes. */
export function encryptedSize(plainSize: number, header: Pick<Header, 'segmentSize' | 'raw'>): number {
  return header.raw.length + plainSize + segmentCount(plainSize, header.segmentSize) * TAG_LENGTH;
}
