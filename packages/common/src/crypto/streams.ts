import { createCipheriv, createDecipheriv } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '../errors/index.js';
import {
  DEFAULT_SEGMENT_SIZE,
  decodeHeader,
  encodeHeader,
  type Header,
  headerLength,
  nonceFor,
  segmentCount,
  segmentKey,
  TAG_LENGTH,
} from './format.js';
import { canonicalContext, type DataKeyProvider, type EncryptionContext } from './keys.js';

/** The sealed segment as [ciphertext, tag]: two pushes, no copy into a joined buffer. */
function sealSegment(key: Buffer, header: Header, index: number, last: boolean, plain: Buffer): [Buffer, Buffer] {
  const c = createCipheriv('aes-256-gcm', key, nonceFor(header, index, last));
  const body = c.update(plain);
  c.final(); // GCM emits nothing at final: the ciphertext is as long as the plaintext
  return [body, c.getAuthTag()];
}

function openSegment(key: Buffer, header: Header, index: number, last: boolean, sealed: Buffer): Buffer {
  if (sealed.length < TAG_LENGTH) throw new AppError('INTEGRITY_FAILED', 'Truncated segment');
  try {
    const d = createDecipheriv('aes-256-gcm', key, nonceFor(header, index, last));
    d.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
    const plain = d.update(sealed.subarray(0, sealed.length - TAG_LENGTH));
    d.final(); // authenticates (throws on a bad tag); GCM emits no further bytes
    return plain;
  } catch {
    throw new AppError('INTEGRITY_FAILED', `Segment ${index} failed authentication`);
  }
}

export interface EncryptorResult {
  stream: Transform;
  header: Header;
}

/**
 * Encrypting transform: plaintext in, header + sealed segments out. One segment is held back
 * until the next byte arrives, because only then is it known not to be the last one.
 */
export async function createEncryptStream(
  keys: DataKeyProvider,
  context: EncryptionContext,
  segmentSize = DEFAULT_SEGMENT_SIZE,
): Promise<EncryptorResult> {
  const dk = await keys.generate(context);
  const header = encodeHeader({ segmentSize, keyId: dk.keyId, wrappedKey: dk.wrapped, context });
  const key = segmentKey(dk.plaintext, header);
  dk.plaintext.fill(0);
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let index = 0;
  let headerSent = false;

  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (!headerSent) {
        this.push(header.raw);
        headerSent = true;
      }
      pending.push(chunk);
      pendingLen += chunk.length;
      if (pendingLen <= segmentSize) return cb();
      let all = Buffer.concat(pending);
      while (all.length > segmentSize) {
        for (const b of sealSegment(key, header, index++, false, all.subarray(0, segmentSize))) this.push(b);
        all = all.subarray(segmentSize);
      }
      pending = [all];
      pendingLen = all.length;
      cb();
    },
    flush(cb: TransformCallback) {
      if (!headerSent) this.push(header.raw);
      for (const b of sealSegment(key, header, index, true, Buffer.concat(pending))) this.push(b);
      key.fill(0);
      cb();
    },
  });
  return { stream, header };
}

/**
 * Buffer sizes of the decrypting transforms. WHY: Node's default (16 KiB) is a quarter of one
 * segment, so every segment pushed stalls the pipe until the writer drains (one event-loop turn
 * per 64 KiB); a few segments of slack keep decrypting while the socket writes. Still bounded.
 */
export const STREAM_BUFFER_BYTES = 1024 * 1024;

export interface DecryptOptions {
  keys: DataKeyProvider;
  /** The context the caller expects (file id, owner): a header naming another is refused. */
  expectedContext: EncryptionContext;
  /** Called once the header is parsed (e.g. to log the key id). */
  onHeader?: (h: Header) => void;
}

/**
 * Decrypting transform for a whole object. Every segment is authenticated before its bytes
 * are released; a flipped bit, a reordered or dropped segment, or a truncated object makes
 * the stream error (with INTEGRITY_FAILED) instead of yielding wrong bytes.
 */
export function createDecryptStream(opts: DecryptOptions): Transform {
  // Until the header is parsed: its bytes, joined (a few hundred bytes). After: the segments.
  let head: Buffer = Buffer.alloc(0);
  const pending = new Chunks();
  let header: Header | null = null;
  let key: Buffer | null = null;
  let index = 0;
  let sealedSize = 0;

  const drain = (t: Transform, final: boolean) => {
    if (!header || !key) return;
    // A full segment followed by more bytes is not the last one; what is left at the end is.
    while (pending.length > sealedSize) t.push(openSegment(key, header, index++, false, pending.take(sealedSize)));
    if (final && pending.length > 0) t.push(openSegment(key, header, index++, true, pending.take(pending.length)));
  };

  return new Transform({
    readableHighWaterMark: STREAM_BUFFER_BYTES,
    writableHighWaterMark: STREAM_BUFFER_BYTES,
    transform(chunk: Buffer, _enc, cb) {
      if (header) {
        pending.push(chunk);
        try {
          drain(this, false);
          return cb();
        } catch (e) {
          return cb(e as Error);
        }
      }
      head = head.length ? Buffer.concat([head, chunk]) : chunk;
      let len: number | null;
      try {
        len = headerLength(head);
      } catch (e) {
        return cb(e as Error);
      }
      if (len === null || head.length < len) return cb();
      try {
        const h = decodeHeader(head);
        if (canonicalContext(h.context) !== canonicalContext(opts.expectedContext)) {
          throw new AppError('INTEGRITY_FAILED', 'Encryption context does not match the object');
        }
        opts.onHeader?.(h);
        header = h;
        sealedSize = h.segmentSize + TAG_LENGTH;
        pending.push(head.subarray(len));
        head = Buffer.alloc(0);
        opts.keys.unwrap(h.wrappedKey, h.keyId, h.context).then(
          (dataKey) => {
            key = segmentKey(dataKey, h);
            dataKey.fill(0);
            try {
              drain(this, false);
              cb();
            } catch (e) {
              cb(e as Error);
            }
          },
          (e: Error) => cb(e),
        );
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb) {
      try {
        if (!header || !key) throw new AppError('INTEGRITY_FAILED', 'Encrypted object is truncated (no header)');
        if (pending.length === 0) throw new AppError('INTEGRITY_FAILED', 'Encrypted object is truncated');
        drain(this, true);
        key.fill(0);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}

export interface SegmentRange {
  /** Inclusive byte range of the stored object to fetch (S3 `Range: bytes=a-b`). */
  cipherStart: number;
  cipherEnd: number;
  firstSegment: number;
  lastSegment: number;
  totalSegments: number;
  /** Plaintext bytes to drop from the first fetched segment, then bytes to keep. */
  skip: number;
  take: number;
}

/** Which stored bytes hold plaintext bytes [start, end] (inclusive). */
export function segmentRange(
  header: Pick<Header, 'segmentSize' | 'raw'>,
  plainSize: number,
  start: number,
  end: number,
): SegmentRange {
  if (start < 0 || end < start || end >= plainSize)
    throw new AppError('RANGE_NOT_SATISFIABLE', 'Range not satisfiable');
  const seg = header.segmentSize;
  const sealed = seg + TAG_LENGTH;
  const total = segmentCount(plainSize, seg);
  const firstSegment = Math.floor(start / seg);
  const lastSegment = Math.floor(end / seg);
  const lastLen = plainSize - (total - 1) * seg;
  const cipherStart = header.raw.length + firstSegment * sealed;
  const cipherEnd =
    header.raw.length + lastSegment * sealed + (lastSegment === total - 1 ? lastLen + TAG_LENGTH : sealed) - 1;
  return {
    cipherStart,
    cipherEnd,
    firstSegment,
    lastSegment,
    totalSegments: total,
    skip: start - firstSegment * seg,
    take: end - start + 1,
  };
}

/**
 * Decrypts the stored bytes of a SegmentRange (segments firstSegment..lastSegment) and emits
 * only the requested plaintext slice. Each segment is authenticated with its true index and
 * last-flag, so a range read is as tamper-evident as a full read.
 */
export function createRangeDecryptStream(dataKey: Buffer, header: Header, range: SegmentRange): Transform {
  const key = segmentKey(dataKey, header);
  const sealedSize = header.segmentSize + TAG_LENGTH;
  const pending = new Chunks();
  let index = range.firstSegment;
  let skip = range.skip;
  let remaining = range.take;

  const emit = (t: Transform, sealed: Buffer) => {
    const plain = openSegment(key, header, index, index === range.totalSegments - 1, sealed);
    index++;
    const part = plain.subarray(skip, Math.min(plain.length, skip + remaining));
    skip = Math.max(0, skip - plain.length);
    remaining -= part.length;
    if (part.length) t.push(part);
  };

  return new Transform({
    readableHighWaterMark: STREAM_BUFFER_BYTES,
    writableHighWaterMark: STREAM_BUFFER_BYTES,
    transform(chunk: Buffer, _enc, cb) {
      pending.push(chunk);
      try {
        while (pending.length >= sealedSize && index <= range.lastSegment) emit(this, pending.take(sealedSize));
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb) {
      try {
        if (pending.length > 0 && index <= range.lastSegment) emit(this, pending.take(pending.length));
        if (remaining > 0) throw new AppError('INTEGRITY_FAILED', 'Encrypted object is truncated');
        key.fill(0);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}

/**
 * A queue of received chunks, cut into exact-size pieces on demand. WHY: concatenating the
 * leftover with every incoming chunk copies each byte several times when the network delivers
 * chunks smaller than a segment (S3 bodies arrive in 16-64 KiB reads); here a piece that lies
 * within one chunk is a view of it, and only a piece spanning chunks is copied, once.
 */
export class Chunks {
  private readonly list: Buffer[] = [];
  private head = 0;
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.list.push(chunk);
    this.length += chunk.length;
  }

  /** The next `n` bytes (n ≤ length). */
  take(n: number): Buffer {
    this.length -= n;
    const first = this.list[this.head]!;
    if (first.length > n) {
      this.list[this.head] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.length === n) {
      this.shift();
      return first;
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.list[this.head]!;
      const k = Math.min(c.length, n - off);
      c.copy(out, off, 0, k);
      off += k;
      if (k === c.length) this.shift();
      else this.list[this.head] = c.subarray(k);
    }
    return out;
  }

  private shift() {
    this.head++;
    // Compact now and then so the array does not grow for the life of a long stream.
    if (this.head > 64) {
      this.list.splice(0, this.head);
      this.head = 0;
    }
  }
}
