// Proves the per-service IAM policies (infra/iam/*.json). LocalStack community (the stack's AWS)
// does not evaluate IAM, so these tests provision a moto of their own, which does: every request
// after provisioning is checked against the caller's policy, so a permission a service should not
// have surfaces as AccessDenied, and a widened policy file makes these tests fail.

import { readFileSync } from 'node:fs';
import { GenerateDataKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcomeOf, clientsFor as stackClientsFor, queueUrl as stackQueueUrl, uniqueId } from './helpers.js';
import { type IamEmulator, startIamEmulator } from './iam-emulator.js';

const key = `test/${uniqueId()}.bin`;
let iam: IamEmulator;
const clientsFor = (service: string) => stackClientsFor(service, iam);
const queueUrl = (name: string) => stackQueueUrl(name, iam.queueUrlBase);

beforeAll(async () => {
  iam = await startIamEmulator();
  await clientsFor('files').s3.send(
    new PutObjectCommand({ Bucket: process.env.BUCKET_QUARANTINE, Key: key, Body: 'quarantined' }),
  );
});

afterAll(async () => {
  await iam?.stop();
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
    const publish = clientsFor('notify').sns.send(new PublishCommand({ TopicArn: iam.topicArn, Message: '{}' }));
    expect(await outcomeOf(publish)).toBe('denied');
    const send = clientsFor('appointments').sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl('medvault-files'), MessageBody: '{}' }),
    );
    expect(await outcomeOf(send)).toBe('denied');
  });
});

describe('chat credentials', () => {
  it('can mint a conversation data key but reads no bucket and no other service’s queue', async () => {
    const { kms, s3, sqs } = clientsFor('chat');
    const dataKey = kms.send(
      new GenerateDataKeyCommand({
        KeyId: process.env.KMS_DATA_KEY_ID,
        KeySpec: 'AES_256',
        EncryptionContext: { service: 'chat', conversationId: 'cnv_test' },
      }),
    );
    expect(await outcomeOf(dataKey)).toBe('allowed');
    expect(await outcomeOf(s3.send(new GetObjectCommand({ Bucket: process.env.BUCKET_QUARANTINE, Key: key })))).toBe(
      'denied',
    );
    expect(await outcomeOf(sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl('medvault-files') })))).toBe(
      'denied',
    );
  });
});

// The admin console's dead-letter page (services/gateway/src/adapters/sqs-dead-letters.ts): the
// gateway reads and redrives the DLQs, and may send only to the queues SQS moves letters back to.
// moto has no message move tasks (ListMessageMoveTasks / StartMessageMoveTask are checked against
// "*" there and not served), so those two grants are proven on LocalStack by the gateway's tests.
describe('gateway credentials', () => {
  const depth = (url: string) =>
    clientsFor('gateway').sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );

  it('can read every service’s dead-letter queue depth but not another service’s own queue', async () => {
    expect(await outcomeOf(depth(queueUrl('medvault-files-dlq')))).toBe('allowed');
    expect(await outcomeOf(depth(queueUrl('medvault-scanner-dlq')))).toBe('allowed');
    expect(await outcomeOf(depth(queueUrl('medvault-files')))).toBe('denied');
  });

  it('can send to a service’s queue (a redrive’s destination) but never into a dead-letter queue', async () => {
    const { sqs } = clientsFor('gateway');
    const send = (name: string) => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(name), MessageBody: '{}' }));
    expect(await outcomeOf(send('medvault-files'))).toBe('allowed');
    expect(await outcomeOf(send('medvault-files-dlq'))).toBe('denied');
  });

  it('cannot consume another service’s queue', async () => {
    const receive = clientsFor('gateway').sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl('medvault-files') }));
    expect(await outcomeOf(receive)).toBe('denied');
  });

  it('names exactly the queues of topology.json as redrive destinations', () => {
    const read = (f: string) => JSON.parse(readFileSync(new URL(f, import.meta.url), 'utf8'));
    const policy = read('../iam/gateway.json') as { Statement: { Sid: string; Resource: string | string[] }[] };
    const destinations = [policy.Statement.find((s) => s.Sid === 'RedriveDestinations')?.Resource ?? []].flat();
    const queues = Object.keys((read('../topology.json') as { queues: Record<string, unknown> }).queues);
    expect(destinations.map((arn) => arn.split(':').pop()).sort()).toEqual(queues.sort());
  });
});
