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

function sealSegment(key: Buffer, header: Header, index: number, last: boolean, plain: Buffer): Buffer {
  const c = createCipheriv('aes-256-gcm', key, nonceFor(header, index, last));
  const body = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([body, c.getAuthTag()]);
}

function openSegment(key: Buffer, header: Header, index: number, last: boolean, sealed: Buffer): Buffer {
  if (sealed.length < TAG_LENGTH) throw new AppError('INTEGRITY_FAILED', 'Truncated segment');
  try {
    const d = createDecipheriv('aes-256-gcm', key, nonceFor(header, index, last));
    d.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG_LENGTH)), d.final()]);
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
        this.push(sealSegment(key, header, index++, false, all.subarray(0, segmentSize)));
        all = all.subarray(segmentSize);
      }
      pending = [all];
      pendingLen = all.length;
      cb();
    },
    flush(cb: TransformCallback) {
      if (!headerSent) this.push(header.raw);
      this.push(sealSegment(key, header, index, true, Buffer.concat(pending)));
      key.fill(0);
      cb();
    },
  });
  return { stream, header };
}

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
  let buf: Buffer = Buffer.alloc(0);
  let header: Header | null = null;
  let key: Buffer | null = null;
  let index = 0;
  let sealedSize = 0;

  const drain = (t: Transform, final: boolean) => {
    if (!header || !key) return;
    while (buf.length > sealedSize || (final && buf.length > 0)) {
      const last = buf.length <= sealedSize;
      const take = last ? buf.length : sealedSize;
      t.push(openSegment(key, header, index++, last, buf.subarray(0, take)));
      buf = buf.subarray(take);
      if (last) return;
    }
  };

  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      if (header) {
        try {
          drain(this, false);
          return cb();
        } catch (e) {
          return cb(e as Error);
        }
      }
      let len: number | null;
      try {
        len = headerLength(buf);
      } catch (e) {
        return cb(e as Error);
      }
      if (len === null || buf.length < len) return cb();
      try {
        const h = decodeHeader(buf);
        if (canonicalContext(h.context) !== canonicalContext(opts.expectedContext)) {
          throw new AppError('INTEGRITY_FAILED', 'Encryption context does not match the object');
        }
        opts.onHeader?.(h);
        header = h;
        sealedSize = h.segmentSize + TAG_LENGTH;
        buf = buf.subarray(len);
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
        if (buf.length === 0) throw new AppError('INTEGRITY_FAILED', 'Encrypted object is truncated');
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
  let buf: Buffer = Buffer.alloc(0);
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
    transform(chunk: Buffer, _enc, cb) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      try {
        while (buf.length >= sealedSize && index <= range.lastSegment) {
          emit(this, buf.subarray(0, sealedSize));
          buf = buf.subarray(sealedSize);
        }
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb) {
      try {
        if (buf.length > 0 && index <= range.lastSegment) emit(this, buf);
        if (remaining > 0) throw new AppError('INTEGRITY_FAILED', 'Encrypted object is truncated');
        key.fill(0);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}
