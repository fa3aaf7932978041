import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { sha256Hex } from '../domain/canonical.js';
import { DIGEST_NAME, type Digest, digestKey, isDigest, segmentKey, segmentKeyPrefix } from '../domain/digest.js';
import type { ArchivedDigest, SegmentStore, StoredSegment } from '../domain/ports.js';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
// Digest objects are small: read this many at once when listing.
const DIGEST_READS = 16;
const GUNZIP_CHUNK = 1024 * 1024;

const statusOf = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const isPreconditionFailed = (err: unknown) =>
  statusOf(err) === 412 || (err as { name?: string }).name === 'PreconditionFailed';
const isMissing = (err: unknown) => statusOf(err) === 404 || (err as { name?: string }).name === 'NoSuchKey';

/**
 * Sealed segments (`<prefix>segments/<from>-<to>.jsonl.gz`) and digests (`<prefix>digests/<to>.json`)
 * in the write-once audit bucket: every PUT carries If-None-Match: *, so nothing is overwritten by
 * the service (object lock + the IAM policy cover everyone else). zlib runs on libuv's thread pool,
 * so decompressing several segments at once uses every core.
 */
export class S3SegmentStore implements SegmentStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  keyOf(from: number, to: number): string {
    return segmentKey(this.prefix, from, to);
  }

  async writeSegment(key: string, jsonl: Buffer): Promise<StoredSegment & { created: boolean }> {
    const body = await gzipAsync(jsonl);
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/x-ndjson',
          ContentEncoding: 'gzip',
          IfNoneMatch: '*',
        }),
      );
      return { created: true, sha256: sha256Hex(body), bytes: body.length, jsonl };
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err;
      const existing = await this.readSegment(key);
      if (!existing) throw err;
      return { created: false, ...existing };
    }
  }

  async readSegment(key: string): Promise<StoredSegment | null> {
    let body: Uint8Array;
    try {
      const obj = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      body = (await obj.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    // The hash is over the stored bytes; a corrupt object still gets its hash (and then fails it).
    const sha256 = sha256Hex(buf);
    // 1 MiB output chunks: at zlib's default 16 KiB a 6 MB segment is ~400 round trips between the
    // thread pool and the event loop, which showed as the top of the verify profile.
    const jsonl = await gunzipAsync(buf, { chunkSize: GUNZIP_CHUNK }).catch(() => Buffer.alloc(0));
    return { sha256, bytes: buf.length, jsonl };
  }

  async segmentsStartingAt(from: number): Promise<string[]> {
    return this.keys(segmentKeyPrefix(this.prefix, from));
  }

  async putDigest(d: Digest): Promise<'created' | 'exists'> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: digestKey(this.prefix, d.seq),
          Body: `${JSON.stringify(d, null, 2)}\n`,
          ContentType: 'application/json',
          IfNoneMatch: '*',
        }),
      );
      return 'created';
    } catch (err) {
      if (isPreconditionFailed(err)) return 'exists';
      throw err;
    }
  }

  async listDigests(): Promise<ArchivedDigest[]> {
    const keys = (await this.keys(`${this.prefix}digests/`)).filter((k) => DIGEST_NAME.test(k));
    const out: ArchivedDigest[] = new Array(keys.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < keys.length; i = next++) out[i] = await this.readDigest(keys[i]!);
    };
    await Promise.all(Array.from({ length: Math.min(DIGEST_READS, keys.length) }, worker));
    return out;
  }

  private async readDigest(key: string): Promise<ArchivedDigest> {
    const seq = Number(DIGEST_NAME.exec(key)![1]);
    try {
      const obj = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const parsed: unknown = JSON.parse((await obj.Body?.transformToString()) ?? '');
      return isDigest(parsed) ? { key, seq, digest: parsed } : { key, seq, error: 'not a digest' };
    } catch (err) {
      return { key, seq, error: err instanceof Error ? err.message : 'unreadable' };
    }
  }

  /** Every key under `prefix`, sorted (keys are zero-padded, so this is seq order). */
  private async keys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const r = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of r.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }
}
