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

/** Bytes per ranged GET (see rangedBody). */
export const PART_BYTES = 32 * 1024 * 1024;
const PART_ATTEMPTS = 3;

const unavailable = (cause: unknown) =>
  new AppError('DEPENDENCY_UNAVAILABLE', 's3 unavailable', { cause, details: { dependency: 's3' } });

async function getPart(s3: S3Client, bucket: string, key: string, start: number) {
  try {
    const r = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${start + PART_BYTES - 1}` }),
    );
    if (!r.Body) throw new Error('empty body');
    const total = Number(/\/(\d+)$/.exec(r.ContentRange ?? '')?.[1] ?? r.ContentLength ?? 0);
    return { body: r.Body as Readable, total };
  } catch (cause) {
    const name = (cause as { name?: string }).name ?? '';
    if (name === 'NoSuchKey' || name === 'NotFound') throw new AppError('NOT_FOUND', 'object not found', { cause });
    // An empty object has no byte 0 to range over.
    if (name === 'InvalidRange' && start === 0) return { body: Readable.from([]), total: 0 };
    throw unavailable(cause);
  }
}

/**
 * The object as consecutive ranged GETs of PART_BYTES, each retried from where it broke.
 * WHY: one GET of a 1-2 GiB object stays open for minutes while clamd paces the scan, and a
 * connection reset then (seen on the local emulator, possible on any S3) lost the whole scan;
 * now it costs one part. The plaintext is still authenticated segment by segment downstream,
 * so a part that changed between requests fails decryption (never a clean verdict).
 */
function rangedBody(s3: S3Client, bucket: string, key: string, first: { body: Readable; total: number }): Readable {
  async function* parts(): AsyncGenerator<Buffer> {
    let offset = 0;
    let part: { body: Readable; total: number } | undefined = first;
    let attempts = 0;
    while (part || offset < first.total) {
      part ??= await getPart(s3, bucket, key, offset);
      try {
        for await (const c of part.body as AsyncIterable<Buffer>) {
          offset += c.length;
          yield c;
        }
        attempts = 0;
      } catch (e) {
        if (++attempts >= PART_ATTEMPTS) throw unavailable(e);
      }
      part = undefined;
    }
  }
  return Readable.from(parts(), { objectMode: false });
}

async function getBody(s3: S3Client, bucket: string, key: string): Promise<Readable> {
  return rangedBody(s3, bucket, key, await getPart(s3, bucket, key, 0));
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
