import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { AppError } from '../errors/index.js';
import { STREAM_BUFFER_BYTES } from './streams.js';

/**
 * Verifies the SHA-256 of what passes through, as it streams (one read serves both the reader
 * and the check). The last chunk is held back until the digest matches, so a reader never sees
 * the end of a body whose hash is wrong: the stream fails with INTEGRITY_FAILED instead, after
 * `onMismatch` got the actual digest. A reader that acts only on a complete stream (a download
 * client, an image decoder that needs the whole input) therefore never acts on wrong bytes.
 */
export function createHashVerifier(expectedHex: string, onMismatch: (actualHex: string) => void): Transform {
  const hash = createHash('sha256');
  let held: Buffer | null = null;
  return new Transform({
    // As the decrypting stage before it (STREAM_BUFFER_BYTES): whole segments, not 16 KiB.
    readableHighWaterMark: STREAM_BUFFER_BYTES,
    writableHighWaterMark: STREAM_BUFFER_BYTES,
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      const out = held;
      held = chunk;
      cb(null, out ?? undefined);
    },
    flush(cb) {
      const actual = hash.digest('hex');
      if (actual !== expectedHex) {
        onMismatch(actual);
        return cb(new AppError('INTEGRITY_FAILED', 'Content does not match its recorded SHA-256'));
      }
      if (held) this.push(held);
      cb();
    },
  });
}
