import {
  DeleteMessageCommand,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * Moves messages from a dead-letter queue back to its source queue (the emulator lacks
 * StartMessageMoveTask). Each message is sent before it is deleted: a crash in between
 * duplicates it, which idempotent consumers absorb, but never loses it.
 */
export async function redriveDeadLetters(
  sqs: SQSClient,
  dlqUrl: string,
  targetUrl: string,
  limit = 1000,
): Promise<number> {
  let moved = 0;
  while (moved < limit) {
    const res = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: Math.min(10, limit - moved),
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = res.Messages ?? [];
    if (messages.length === 0) break;
    for (const m of messages) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: targetUrl,
          MessageBody: m.Body ?? '',
          MessageAttributes: m.MessageAttributes as Record<string, MessageAttributeValue> | undefined,
        }),
      );
      await sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: m.ReceiptHandle }));
      moved++;
    }
  }
  return moved;
}
