import { pipeline, Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createDecryptStream, type DataKeyProvider, decodeHeader, headerLength } from '@medvault/common/crypto';
import { AppError } from '@medvault/common/errors';

export interface ObjectRef {
  bucket: string;
  key: string;
  fileId: string;
  /** Unknown for rescan requests: then taken from the object's header, bound to fileId. */
  ownerId?: string;
}

async function getBody(s3: S3Client, bucket: string, key: string): Promise<Readable> {
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!r.Body) throw new Error('empty body');
    return r.Body as Readable;
  } catch (cause) {
    const name = (cause as { name?: string }).name ?? '';
    if (name === 'NoSuchKey' || name === 'NotFound') throw new AppError('NOT_FOUND', 'object not found', { cause });
    throw new AppError('DEPENDENCY_UNAVAILABLE', 's3 unavailable', { cause, details: { dependency: 's3' } });
  }
}

/**
 * Reads just the envelope header to learn the encryption context, then hands back a stream
 * that replays those bytes. The file id must match: a rescan request can never make us
 * decrypt (and vouch for) another file's object.
 */
async function withContextFromHeader(body: Readable, fileId: string): Promise<{ ownerId: string; stream: Readable }> {
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let buf = Buffer.alloc(0);
  for (;;) {
    const n = await it.next();
    if (n.done) throw new AppError('INTEGRITY_FAILED', 'Encrypted object is truncated (no header)');
    buf = Buffer.concat([buf, n.value]);
    const len = headerLength(buf);
    if (len === null || buf.length < len) continue;
    const h = decodeHeader(buf);
    if (h.context.fileId !== fileId || !h.context.ownerId) {
      throw new AppError('INTEGRITY_FAILED', 'Encryption context does not match the object');
    }
    const first = buf;
    async function* replay() {
      try {
        yield first;
        for (;;) {
          const r = await it.next();
          if (r.done) return;
          yield r.value;
        }
      } finally {
        await it.return?.();
      }
    }
    return { ownerId: h.context.ownerId, stream: Readable.from(replay(), { objectMode: false }) };
  }
}

/** Streams an object of the envelope format, decrypted and authenticated segment by segment. */
export async function openDecrypted(s3: S3Client, keys: DataKeyProvider, ref: ObjectRef): Promise<Readable> {
  let body = await getBody(s3, ref.bucket, ref.key);
  let ownerId = ref.ownerId;
  if (!ownerId) {
    const peeked = await withContextFromHeader(body, ref.fileId);
    ownerId = peeked.ownerId;
    body = peeked.stream;
  }
  const decrypt = createDecryptStream({ keys, expectedContext: { fileId: ref.fileId, ownerId } });
  // pipeline destroys both sides on any error, so an aborted scan also aborts the download.
  return pipeline(body, decrypt, () => undefined);
}
