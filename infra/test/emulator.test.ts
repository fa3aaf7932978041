// The AWS emulator is started through infra/moto/moto_server_patched.py, which computes SQS
// queue attributes on demand. These checks prove the attributes read exactly as SQS defines them.

import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { clientsFor, uniqueId } from './helpers.js';

const { sqs } = clientsFor('provisioner');
const created: string[] = [];

async function queue(name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  created.push(QueueUrl!);
  return QueueUrl!;
}
const attributesOf = async (url: string, names: string[]) =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names as never }))).Attributes ?? {};

afterAll(async () => {
  for (const url of created) await sqs.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => undefined);
});

describe('sqs queue attributes on the emulator', () => {
  it('reports counts, settings and the redrive policy, all at once and one by one', async () => {
    const id = uniqueId().slice(0, 8);
    const dlq = await queue(`emu-${id}-dlq`);
    const dlqArn = (await attributesOf(dlq, ['QueueArn'])).QueueArn!;
    const redrive = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 4 });
    const url = await queue(`emu-${id}`, { VisibilityTimeout: '45', RedrivePolicy: redrive });
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [1, 2, 3].map((n) => ({ Id: `m${n}`, MessageBody: `message ${n}` })),
      }),
    );
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
    expect(got.Messages).toHaveLength(1);

    const all = await attributesOf(url, ['All']);
    expect(all).toMatchObject({
      ApproximateNumberOfMessages: '2',
      ApproximateNumberOfMessagesNotVisible: '1',
      ApproximateNumberOfMessagesDelayed: '0',
      VisibilityTimeout: '45',
      QueueArn: expect.stringMatching(new RegExp(`:emu-${id}$`)),
    });
    expect(JSON.parse(all.RedrivePolicy!)).toEqual({ deadLetterTargetArn: dlqArn, maxReceiveCount: 4 });
    expect(Object.keys(all)).not.toContain('FifoQueue');

    const some = await attributesOf(url, ['ApproximateNumberOfMessages', 'VisibilityTimeout']);
    expect(some).toEqual({ ApproximateNumberOfMessages: '2', VisibilityTimeout: '45' });
    expect(await attributesOf(dlq, ['All'])).not.toHaveProperty('RedrivePolicy');
  });

  it('keeps FIFO attributes for FIFO queues', async () => {
    const url = await queue(`emu-${uniqueId().slice(0, 8)}.fifo`, {
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
    });
    expect(await attributesOf(url, ['All'])).toMatchObject({ FifoQueue: 'true', ContentBasedDeduplication: 'true' });
  });
});
