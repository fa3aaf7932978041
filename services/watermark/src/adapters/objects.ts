import { createHash } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  createDecryptStream,
  createEncryptStream,
  createHashVerifier,
  type DataKeyProvider,
} from '@medvault/common/crypto';
import { AppError } from '@medvault/common/errors';
import type { CopyStore, DerivativeStore, ObjectOpener } from '../domain/ports.js';

const s3Error = (cause: unknown) => {
  const name = (cause as { name?: string }).name ?? '';
  if (name === 'NoSuchKey' || name === 'NotFound') return new AppError('NOT_FOUND', 'object not found', { cause });
  return new AppError('DEPENDENCY_UNAVAILABLE', 's3 unavailable', { cause, details: { dependency: 's3' } });
};

/** Streams clean objects decrypted; every 64 KiB segment is authenticated before release. */
export function s3Opener(s3: S3Client, keys: DataKeyProvider): ObjectOpener {
  const open: ObjectOpener['open'] = async (ref) => {
    let body: Readable;
    try {
      const r = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
      if (!r.Body) throw new Error('empty body');
      body = r.Body as Readable;
    } catch (e) {
      throw s3Error(e);
    }
    const decrypt = createDecryptStream({ keys, expectedContext: { fileId: ref.fileId, ownerId: ref.ownerId } });
    return pipeline(body, decrypt, () => undefined);
  };
  return {
    open,
    // One GET, one KMS unwrap, one decryption: the hash is taken from the same plaintext the
    // reader consumes (issue 18; before, a hash pass and a render pass each decrypted it).
    async openVerified(ref, sha256) {
      let actual: string | undefined;
      let ended = false;
      const verifier = createHashVerifier(sha256, (a) => {
        actual = a;
      });
      verifier.once('end', () => {
        ended = true;
      });
      const stream = pipeline(await open(ref), verifier, () => undefined);
      return { stream, verified: () => ended && actual === undefined, mismatch: () => actual };
    },
  };
}

/**
 * Stores renditions in the derivatives bucket, in the same envelope format and context as the
 * original. The rendition is already in memory (sharp produced it), so it is sent as one body.
 */
export function s3DerivativeStore(s3: S3Client, keys: DataKeyProvider, bucket: string): DerivativeStore {
  return {
    async put({ key, data, context }) {
      // Hashed here, from the very bytes being encrypted and stored: the event carries it so
      // files need not read the derivative back to hash it (issue 18).
      const sha256 = createHash('sha256').update(data).digest('hex');
      const { stream } = await createEncryptStream(keys, context);
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      const done = new Promise((resolve, reject) => stream.once('end', resolve).once('error', reject));
      stream.end(data);
      await done;
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: Buffer.concat(parts),
            ContentType: 'application/octet-stream',
          }),
        );
      } catch (e) {
        throw s3Error(e);
      }
      return { bucket, key, sha256 };
    },
  };
}

/**
 * De-identified copies, written to quarantine in the files' envelope format under the new file's
 * id and owner (the scanner and files read them like an upload). The IAM policy lets the worker
 * write and read `files/*` of that bucket only.
 */
export function s3CopyStore(s3: S3Client, keys: DataKeyProvider, bucket: string): CopyStore {
  const writer = s3DerivativeStore(s3, keys, bucket);
  return {
    bucket,
    async has(key) {
      try {
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (e) {
        const err = s3Error(e);
        if (err.code === 'NOT_FOUND') return false;
        throw err;
      }
    },
    put: (d) => writer.put(d),
  };
}
