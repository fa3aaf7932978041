import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '@medvault/common/errors';
import { SNIFF_BYTES, sniffContentType } from './sniff.js';

export interface Inspection {
  contentType: string | null;
  size: number;
  sha256: string;
}

/**
 * Pass-through transform for the single upload pass: holds back the first SNIFF_BYTES until
 * the type is known (a disallowed type fails before a byte reaches the encryptor), hashes the
 * plaintext, and fails past `maxBytes` (413) so an oversized upload never completes.
 */
export function createInspector(opts: { maxBytes: number; allowed: Set<string> }) {
  const hash = createHash('sha256');
  const result: Inspection = { contentType: null, size: 0, sha256: '' };
  let head: Buffer[] = [];
  let headLen = 0;
  let decided = false;

  const decide = (t: Transform, complete: boolean) => {
    const sample = Buffer.concat(head);
    const type = sniffContentType(sample.subarray(0, SNIFF_BYTES), complete && sample.length <= SNIFF_BYTES);
    if (!type || !opts.allowed.has(type)) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'File type is not accepted', {
        details: { detected: type ?? 'unknown' },
      });
    }
    result.contentType = type;
    decided = true;
    head = [];
    if (sample.length) t.push(sample);
  };

  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      try {
        result.size += chunk.length;
        if (result.size > opts.maxBytes) {
          throw new AppError('PAYLOAD_TOO_LARGE', 'File is larger than allowed', {
            details: { maxBytes: opts.maxBytes },
          });
        }
        hash.update(chunk);
        if (decided) return cb(null, chunk);
        head.push(chunk);
        headLen += chunk.length;
        if (headLen >= SNIFF_BYTES) decide(this, false);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb: TransformCallback) {
      try {
        if (!decided) decide(this, true);
        result.sha256 = hash.digest('hex');
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
  return { stream, result };
}
