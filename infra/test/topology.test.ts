// Proves infra/topology.json as provisioned on the live stack (`bash infra/stack.sh up`):
// event routing, bucket configuration and KMS behaviour.
import { DecryptCommand, GenerateDataKeyCommand, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import {
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { clientsFor, errorOf, outcomeOf, receiveMarked, uniqueId } from './helpers.js';

const topicArn = () => process.env.EVENTS_TOPIC_ARN as string;
const dataKey = () => process.env.KMS_DATA_KEY_ID as string;

describe('event routing', () => {
  it('delivers a file.uploaded event to the scanner and audit queues but not to the watermark queue', async () => {
    const marker = uniqueId();
    await clientsFor('files').sns.send(
      new PublishCommand({
        TopicArn: topicArn(),
        Message: JSON.stringify({ type: 'file.uploaded', id: marker }),
        MessageAttributes: { type: { DataType: 'String', StringValue: 'file.uploaded' } },
      }),
    );
    const scanner = await receiveMarked(clientsFor('scanner').sqs, 'medvault-scanner', marker, 5);
    const audit = await receiveMarked(clientsFor('audit').sqs, 'medvault-audit', marker, 5);
    const watermark = await receiveMarked(clientsFor('watermark').sqs, 'medvault-watermark', marker, 1);
    // Raw delivery: the body is the published message itself, not an SNS envelope.
    expect(JSON.parse(scanner?.Body ?? '{}')).toEqual({ type: 'file.uploaded', id: marker });
    expect(audit).toBeDefined();
    expect(watermark).toBeUndefined();
  });
});

describe('buckets', () => {
  it('encrypts objects with SSE-KMS under the data key by default', async () => {
    const { s3 } = clientsFor('files');
    const Key = `test/${uniqueId()}.txt`;
    await s3.send(new PutObjectCommand({ Bucket: process.env.BUCKET_CLEAN, Key, Body: 'hello' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: process.env.BUCKET_CLEAN, Key }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toMatch(/^arn:aws:kms:/);
  });

  it('expires trash after 30 days, aborts stale multipart uploads and blocks public access', async () => {
    const { s3 } = clientsFor('provisioner');
    const { Rules = [] } = await s3.send(
      new GetBucketLifecycleConfigurationCommand({ Bucket: process.env.BUCKET_QUARANTINE }),
    );
    const trash = Rules.find((r) => r.ID === 'expire-trash');
    expect(trash?.Filter?.Prefix).toBe('trash/');
    expect(trash?.Expiration?.Days).toBe(30);
    expect(
      Rules.find((r) => r.ID === 'abort-incomplete-multipart')?.AbortIncompleteMultipartUpload
        ?.DaysAfterInitiation,
    ).toBe(1);
    const pab = await s3.send(new GetPublicAccessBlockCommand({ Bucket: process.env.BUCKET_DERIVATIVES }));
    expect(pab.PublicAccessBlockConfiguration).toMatchObject({
      BlockPublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it('keeps audit checkpoints write-once: not even the admin can delete a locked version', async () => {
    const { s3 } = clientsFor('provisioner');
    const Bucket = process.env.BUCKET_AUDIT;
    const lock = await s3.send(new GetObjectLockConfigurationCommand({ Bucket }));
    expect(lock.ObjectLockConfiguration?.Rule?.DefaultRetention?.Mode).toBe('COMPLIANCE');
    const Key = `checkpoints/${uniqueId()}.json`;
    const { VersionId } = await s3.send(new PutObjectCommand({ Bucket, Key, Body: '{}' }));
    expect(await outcomeOf(s3.send(new DeleteObjectCommand({ Bucket, Key, VersionId })))).toBe('denied');
  });
});

describe('kms', () => {
  it('only decrypts a data key under the encryption context it was generated with', async () => {
    const { kms } = clientsFor('files');
    const context = { fileId: uniqueId() };
    const key = await kms.send(
      new GenerateDataKeyCommand({ KeyId: dataKey(), KeySpec: 'AES_256', EncryptionContext: context }),
    );
    const same = await kms.send(
      new DecryptCommand({ CiphertextBlob: key.CiphertextBlob, EncryptionContext: context }),
    );
    expect(Buffer.from(same.Plaintext ?? []).equals(Buffer.from(key.Plaintext ?? []))).toBe(true);
    const wrong = kms.send(
      new DecryptCommand({
        CiphertextBlob: key.CiphertextBlob,
        EncryptionContext: { fileId: 'someone-else' },
      }),
    );
    expect(await errorOf(wrong)).toBe('InvalidCiphertextException');
  });

  it('lets the audit service sign and verify checkpoints with the ECC signing key', async () => {
    const { kms } = clientsFor('audit');
    const KeyId = process.env.KMS_AUDIT_SIGNING_KEY_ID as string;
    const Message = Buffer.from(`checkpoint ${uniqueId()}`);
    const { Signature } = await kms.send(
      new SignCommand({ KeyId, Message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    const verified = await kms.send(
      new VerifyCommand({ KeyId, Message, Signature, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    expect(verified.SignatureValid).toBe(true);
  });
});
