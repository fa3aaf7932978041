import { SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../aws/index.js';
import { type Envelope, type EventType, parseEvent } from '../events/index.js';
import { credentialsFor } from './index.js';

export interface BusTap {
  /** Every event received so far (drains the tap queue first). */
  events(): Promise<Envelope[]>;
  /** Waits until `predicate` matches a received event, failing after timeoutMs. */
  waitFor<T extends EventType>(
    type: T,
    predicate?: (e: Envelope<T>) => boolean,
    timeoutMs?: number,
  ): Promise<Envelope<T>>;
  close(): Promise<void>;
}

/**
 * Subscribes a temporary SQS queue to the real events topic (admin credentials), so a test can
 * observe what a service really published, filtered like a consumer's queue would be.
 */
export async function openBusTap(types?: EventType[]): Promise<BusTap> {
  const cfg = {
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
    ...credentialsFor('provisioner'),
  };
  const sqs = new SQSClient(awsClientConfig(cfg));
  const sns = new SNSClient(awsClientConfig(cfg));
  const name = `test-tap-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const sub = await sns.send(
    new SubscribeCommand({
      TopicArn: process.env.EVENTS_TOPIC_ARN,
      Protocol: 'sqs',
      Endpoint: attrs.Attributes?.QueueArn,
      Attributes: {
        RawMessageDelivery: 'true',
        ...(types ? { FilterPolicy: JSON.stringify({ type: types }) } : {}),
      },
    }),
  );
  const seen: Envelope[] = [];
  const drain = async () => {
    for (;;) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      const ms = r.Messages ?? [];
      if (ms.length === 0) return;
      for (const m of ms) {
        seen.push(parseEvent(m.Body ?? ''));
        await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
      }
    }
  };
  return {
    async events() {
      await drain();
      return [...seen];
    },
    async waitFor(type, predicate = () => true, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await drain();
        const isType = (e: Envelope): e is Envelope<typeof type> => e.type === type;
        const hit = seen.filter(isType).find((e) => predicate(e));
        if (hit) return hit;
        if (Date.now() > deadline) {
          throw new Error(
            `No ${type} event within ${timeoutMs} ms (saw: ${seen.map((e) => e.type).join(', ') || 'none'})`,
          );
        }
        await new Promise((r) => setTimeout(r, 150));
      }
    },
    async close() {
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn })).catch(() => undefined);
      await sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined);
      sqs.destroy();
      sns.destroy();
    },
  };
}
