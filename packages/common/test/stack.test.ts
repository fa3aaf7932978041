import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { KMSClient } from '@aws-sdk/client-kms';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { awsClientConfig, s3ClientConfig } from '../src/aws/index.js';
import { createMongo } from '../src/clients/index.js';
import { createDecryptStream, createEncryptStream, KmsDataKeyProvider } from '../src/crypto/index.js';
import { credentialsFor, unique } from '../src/testing/index.js';

const env = {
  AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
  AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
};
const files = { ...env, ...credentialsFor('files') };
const s3 = new S3Client(s3ClientConfig(files));
const kms = new KMSClient(awsClientConfig(files));
const keys = new KmsDataKeyProvider(kms, process.env.KMS_DATA_KEY_ID!);
const bucket = process.env.BUCKET_QUARANTINE!;
const { client: mongo, db } = createMongo(
  process.env.MONGO_URL!,
  'stack-test',
  unique('stack_test').replace(/-/g, '_'),
);
const redis = new Redis(process.env.REDIS_URL!);

afterAll(async () => {
  await db.dropDatabase().catch(() => undefined);
  await mongo.close();
  redis.disconnect();
  s3.destroy();
  kms.destroy();
});

/** Raw clamd INSTREAM: the protocol the scanner speaks, checked against the real daemon. */
function clamdScan(data: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(Number(process.env.CLAMD_PORT ?? 3310), process.env.CLAMD_HOST ?? '127.0.0.1');
    let reply = '';
    sock.on('data', (d) => (reply += d.toString()));
    sock.on('end', () => resolve(reply.replace(/\0/g, '').trim()));
    sock.on('error', reject);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    sock.write('zINSTREAM\0');
    sock.write(len);
    sock.write(data);
    sock.end(Buffer.alloc(4));
  });
}

describe('local stack servers', () => {
  it('stores and streams back a file through the envelope format with KMS data keys and S3 multipart', async () => {
    const key = `test/${unique('obj')}`;
    const plain = randomBytes(11 * 1024 * 1024 + 123);
    const context = { fileId: unique('fil'), ownerId: 'usr_stack' };
    const { stream } = await createEncryptStream(keys, context);
    const cipher = await buffer(Readable.from([plain.subarray(0, 7_000_000), plain.subarray(7_000_000)]).pipe(stream));
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const partSize = 5 * 1024 * 1024;
    const parts = [];
    for (let i = 0, n = 1; i < cipher.length; i += partSize, n++) {
      const r = await s3.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: up.UploadId,
          PartNumber: n,
          Body: cipher.subarray(i, i + partSize),
        }),
      );
      parts.push({ ETag: r.ETag, PartNumber: n });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: up.UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
    const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const back = await buffer((obj.Body as Readable).pipe(createDecryptStream({ keys, expectedContext: context })));
    expect(back.equals(plain)).toBe(true);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  });

  it('refuses to unwrap a data key under another encryption context', async () => {
    const dk = await keys.generate({ fileId: 'fil_a', ownerId: 'usr_a' });
    await expect(keys.unwrap(dk.wrapped, dk.keyId, { fileId: 'fil_b', ownerId: 'usr_a' })).rejects.toMatchObject({
      code: 'INTEGRITY_FAILED',
    });
    const ok = await keys.unwrap(dk.wrapped, dk.keyId, { fileId: 'fil_a', ownerId: 'usr_a' });
    expect(ok.equals(dk.plaintext)).toBe(true);
  });

  it('does CRUD on FerretDB and enforces a unique index', async () => {
    const col = db.collection<{ _id: string; email: string; n: number }>('people');
    await col.createIndex({ email: 1 }, { unique: true });
    await col.insertOne({ _id: 'p1', email: 'a@example.test', n: 1 });
    await expect(col.insertOne({ _id: 'p2', email: 'a@example.test', n: 2 })).rejects.toMatchObject({
      code: 11000,
    });
    const updated = await col.findOneAndUpdate({ _id: 'p1', n: 1 }, { $inc: { n: 1 } }, { returnDocument: 'after' });
    expect(updated?.n).toBe(2);
    expect(await col.countDocuments()).toBe(1);
    await col.deleteOne({ _id: 'p1' });
    expect(await col.findOne({ _id: 'p1' })).toBeNull();
  });

  it('answers Redis commands, including atomic SET NX leases', async () => {
    const k = unique('lease');
    expect(await redis.set(k, '1', 'EX', 5, 'NX')).toBe('OK');
    expect(await redis.set(k, '2', 'EX', 5, 'NX')).toBeNull();
    await redis.del(k);
  });

  it('has clamd detect the EICAR test file and pass a clean one', async () => {
    const eicar = Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*');
    expect(await clamdScan(eicar)).toMatch(/Eicar-Test-Signature.* FOUND/);
    expect(await clamdScan(Buffer.from('just a clinical note, nothing to see'))).toBe('stream: OK');
  });
});
