// Proves infra/topology.json as provisioned on the live stack (`bash infra/stack.sh up`):
// event routing, bucket configuration and KMS behaviour.

import { readFileSync } from 'node:fs';
import { DecryptCommand, GenerateDataKeyCommand, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import {
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { clientsFor, errorOf, outcomeOf, uniqueId } from './helpers.js';

const topicArn = () => process.env.EVENTS_TOPIC_ARN as string;
const dataKey = () => process.env.KMS_DATA_KEY_ID as string;

describe('event routing', () => {
  // Deterministic: compares the live subscriptions with topology.json instead of racing the
  // services' consumers for messages on shared queues. Filter semantics (a matching queue gets
  // the event, a non-matching one does not) are proven on private queues in
  // packages/common/test/bus.test.ts.
  it('subscribes every service queue to the topic with raw delivery and the filter policy of topology.json', async () => {
    const topology = JSON.parse(readFileSync(new URL('../topology.json', import.meta.url), 'utf8')) as {
      queues: Record<string, string[] | null>;
    };
    const { sns } = clientsFor('provisioner');
    const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn() }));
    for (const [queue, types] of Object.entries(topology.queues)) {
      const sub = subs.Subscriptions?.find((s) => s.Endpoint?.endsWith(`:${queue}`));
      expect(sub, `subscription of ${queue}`).toBeDefined();
      const attrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub!.SubscriptionArn })))
        .Attributes;
      expect(attrs?.RawMessageDelivery, queue).toBe('true');
      if (types === null) expect(attrs?.FilterPolicy ?? '', `${queue} takes every event`).toBe('');
      else expect(JSON.parse(attrs?.FilterPolicy ?? '{}').type?.sort(), queue).toEqual([...types].sort());
    }
  });

  it('routes file.uploaded to the scanner and not to the watermark worker', () => {
    const topology = JSON.parse(readFileSync(new URL('../topology.json', import.meta.url), 'utf8')) as {
      queues: Record<string, string[] | null>;
    };
    expect(topology.queues['medvault-scanner']).toContain('file.uploaded');
    expect(topology.queues['medvault-watermark']).not.toContain('file.uploaded');
    expect(topology.queues['medvault-audit']).toBeNull();
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
      Rules.find((r) => r.ID === 'abort-incomplete-multipart')?.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
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
    const same = await kms.send(new DecryptCommand({ CiphertextBlob: key.CiphertextBlob, EncryptionContext: context }));
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
