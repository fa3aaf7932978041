import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { readAhead } from '@medvault/common/aws';
import { decodeHeader, type Header, headerLength } from '@medvault/common/crypto';
import { AppError } from '@medvault/common/errors';
import type { ObjectLocation } from '../domain/file.js';
import type { ObjectStorage, UploadHandle } from '../domain/ports.js';

const notFound = (e: unknown) => {
  const n = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return n.name === 'NoSuchKey' || n.name === 'NotFound' || n.$metadata?.httpStatusCode === 404;
};

/** S3 adapter of the files service: bounded multipart uploads, copies, ranged reads. */
export class ObjectStore implements ObjectStorage {
  constructor(
    private readonly s3: S3Client,
    private readonly opts: {
      partSizeBytes: number;
      queueSize: number;
      /** Ranged GETs of a download: bytes per GET and GETs ahead of the writer. */
      readPartBytes: number;
      readAhead: number;
    },
  ) {}

  /**
   * Streams `body` to S3 as a multipart upload (memory ≈ partSize × queueSize). `abort()` leaves
   * nothing: lib-storage aborts the multipart upload only when its own part uploads fail, and a
   * completed single-part PUT cannot be aborted, so both are cleaned up here.
   */
  startUpload(body: Readable, loc: ObjectLocation, metadata: Record<string, string>): UploadHandle & Upload {
    const upload = new Upload({
      client: this.s3,
      params: {
        Bucket: loc.bucket,
        Key: loc.key,
        Body: body,
        ContentType: 'application/octet-stream',
        Metadata: metadata,
      },
      partSize: this.opts.partSizeBytes,
      queueSize: this.opts.queueSize,
      leavePartsOnError: false,
    });
    const sdkAbort = upload.abort.bind(upload);
    upload.abort = async () => {
      await sdkAbort().catch(() => undefined);
      await this.abortMultipart(loc, uploadIdOf(upload)).catch(() => undefined);
      await this.delete(loc).catch(() => undefined);
    };
    return upload;
  }

  /** Aborts an unfinished multipart upload (its parts are discarded by S3). */
  async abortMultipart(loc: ObjectLocation, uploadId: string | undefined): Promise<void> {
    if (!uploadId) return;
    await this.s3.send(new AbortMultipartUploadCommand({ Bucket: loc.bucket, Key: loc.key, UploadId: uploadId }));
  }

  /** Deletes an object; absent is fine (idempotent clean-up and purge). */
  async delete(loc: ObjectLocation): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
  }

  /** Server-side copy: ciphertext never passes through this process. */
  async copy(from: ObjectLocation, to: ObjectLocation): Promise<void> {
    try {
      await this.s3.send(
        new CopyObjectCommand({
          Bucket: to.bucket,
          Key: to.key,
          CopySource: `${from.bucket}/${encodeURIComponent(from.key).replace(/%2F/g, '/')}`,
        }),
      );
    } catch (e) {
      if (notFound(e)) throw new AppError('NOT_FOUND', 'Stored object not found', { cause: e });
      throw e;
    }
  }

  /** Copy then delete: S3 has no rename. A crash in between leaves a harmless extra copy. */
  async move(from: ObjectLocation, to: ObjectLocation): Promise<void> {
    if (from.bucket === to.bucket && from.key === to.key) return;
    await this.copy(from, to);
    await this.delete(from);
  }

  /** Reads bytes [start, end] (inclusive) of an object as a stream. */
  async getRange(
    loc: ObjectLocation,
    start?: number,
    end?: number,
  ): Promise<{ body: Readable; totalSize: number | null }> {
    const Range = start === undefined ? undefined : `bytes=${start}-${end ?? ''}`;
    try {
      const r = await this.s3.send(new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key, Range }));
      const total = r.ContentRange ? Number(r.ContentRange.split('/')[1]) : (r.ContentLength ?? null);
      return { body: r.Body as Readable, totalSize: Number.isFinite(total) ? total : null };
    } catch (e) {
      if (notFound(e)) throw new AppError('INTEGRITY_FAILED', 'Stored object is missing', { cause: e });
      throw e;
    }
  }

  /**
   * Streams bytes [start, end] as parallel ranged GETs ahead of the consumer (bounded; see
   * readAhead). The object must exist and be at least end + 1 bytes long (checked by readHeader).
   */
  readRange(loc: ObjectLocation, start: number, end: number): Readable {
    return readAhead(
      async (s, e, abortSignal) => {
        try {
          const r = await this.s3.send(
            new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key, Range: `bytes=${s}-${e}` }),
            { abortSignal },
          );
          return r.Body as Readable;
        } catch (err) {
          if (notFound(err)) throw new AppError('INTEGRITY_FAILED', 'Stored object is missing', { cause: err });
          throw err;
        }
      },
      { start, end, partBytes: this.opts.readPartBytes, ahead: this.opts.readAhead },
    );
  }

  /** The object's encryption header (one small ranged GET) and the object's total size. */
  async readHeader(loc: ObjectLocation, sizeHint = 4096): Promise<{ header: Header; totalSize: number }> {
    const { body, totalSize } = await this.getRange(loc, 0, sizeHint - 1);
    const buf = await collect(body);
    const len = headerLength(buf);
    if (len === null) throw new AppError('INTEGRITY_FAILED', 'Stored object is truncated');
    if (len > buf.length) return this.readHeader(loc, len);
    if (totalSize === null) throw new AppError('INTEGRITY_FAILED', 'Stored object size unknown');
    return { header: decodeHeader(buf), totalSize };
  }
}

/** lib-storage keeps the multipart upload id to itself (not in its typings). */
function uploadIdOf(u: Upload): string | undefined {
  const id: unknown = Reflect.get(u, 'uploadId');
  return typeof id === 'string' ? id : undefined;
}

async function collect(body: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(c as Buffer);
  return Buffer.concat(parts);
}
