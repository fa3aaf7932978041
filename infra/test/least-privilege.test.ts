// Proves the per-service IAM policies (infra/iam/*.json) on the live stack: moto enforces IAM
// for every request after provisioning, so a missing permission surfaces as AccessDenied.
import { SignCommand } from '@aws-sdk/client-kms';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { clientsFor, outcomeOf, queueUrl, uniqueId } from './helpers.js';

const key = `test/${uniqueId()}.bin`;

beforeAll(async () => {
  await clientsFor('files').s3.send(
    new PutObjectCommand({ Bucket: process.env.BUCKET_QUARANTINE, Key: key, Body: 'quarantined' }),
  );
});

describe('scanner credentials', () => {
  it('can read an upload from the quarantine bucket', async () => {
    const res = await clientsFor('scanner').s3.send(
      new GetObjectCommand({ Bucket: process.env.BUCKET_QUARANTINE, Key: key }),
    );
    expect(await res.Body?.transformToString()).toBe('quarantined');
  });

  it('cannot write to the clean bucket nor back into quarantine', async () => {
    const { s3 } = clientsFor('scanner');
    expect(
      await outcomeOf(s3.send(new PutObjectCommand({ Bucket: process.env.BUCKET_CLEAN, Key: key, Body: 'x' }))),
    ).toBe('denied');
    expect(
      await outcomeOf(s3.send(new PutObjectCommand({ Bucket: process.env.BUCKET_QUARANTINE, Key: key, Body: 'x' }))),
    ).toBe('denied');
  });

  it('cannot sign with the audit signing key', async () => {
    const sign = clientsFor('scanner').kms.send(
      new SignCommand({
        KeyId: process.env.KMS_AUDIT_SIGNING_KEY_ID,
        Message: Buffer.from('x'),
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    expect(await outcomeOf(sign)).toBe('denied');
  });
});

describe('audit credentials', () => {
  it('can append to the audit bucket but never delete from it', async () => {
    const { s3 } = clientsFor('audit');
    const Key = `checkpoints/${uniqueId()}.json`;
    await s3.send(new PutObjectCommand({ Bucket: process.env.BUCKET_AUDIT, Key, Body: '{}' }));
    expect(await outcomeOf(s3.send(new DeleteObjectCommand({ Bucket: process.env.BUCKET_AUDIT, Key })))).toBe('denied');
  });
});

describe('services without a queue or topic permission', () => {
  it('rejects notify publishing events and appointments touching a queue', async () => {
    const publish = clientsFor('notify').sns.send(
      new PublishCommand({ TopicArn: process.env.EVENTS_TOPIC_ARN, Message: '{}' }),
    );
    expect(await outcomeOf(publish)).toBe('denied');
    const send = clientsFor('appointments').sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl('medvault-files'), MessageBody: '{}' }),
    );
    expect(await outcomeOf(send)).toBe('denied');
  });
});
