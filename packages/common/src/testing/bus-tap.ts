import {
  CreateTopicCommand,
  DeleteTopicCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
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

export interface TopicQueue {
  url: string;
  sqs: SQSClient;
  /** Unsubscribes and deletes the queue. */
  close(): Promise<void>;
}

/**
 * A temporary SQS queue subscribed to the real events topic (admin credentials), filtered like a
 * consumer's queue would be. For a test's own consumer: on a service's shared queue the running
 * service would take some of the test's events (and other suites' backlog sits there).
 */
export async function openTopicQueue(
  types?: readonly string[],
  topicArn = process.env.EVENTS_TOPIC_ARN,
): Promise<TopicQueue> {
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
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: attrs.Attributes?.QueueArn,
      Attributes: {
        RawMessageDelivery: 'true',
        ...(types ? { FilterPolicy: JSON.stringify({ type: types }) } : {}),
      },
    }),
  );
  return {
    url: QueueUrl!,
    sqs,
    async close() {
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn })).catch(() => undefined);
      await sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined);
      sqs.destroy();
      sns.destroy();
    },
  };
}

/** A topic queue that a test reads itself, to observe what a service really published. */
export async function openBusTap(types?: EventType[], topicArn?: string): Promise<BusTap> {
  const { url: QueueUrl, sqs, close } = await openTopicQueue(types, topicArn);
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
    close,
  };
}

/**
 * An SNS topic of the test's own (admin credentials): a worker under test that publishes there
 * (its EVENTS_TOPIC_ARN) reaches only the test's taps, not the running services, which would
 * otherwise act on its events (e.g. take a copy out of quarantine while the test reads it).
 */
export async function openPrivateTopic(): Promise<{ arn: string; close(): Promise<void> }> {
  const sns = new SNSClient(
    awsClientConfig({
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
      ...credentialsFor('provisioner'),
    }),
  );
  const name = `test-topic-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  return {
    arn: TopicArn!,
    async close() {
      await sns.send(new DeleteTopicCommand({ TopicArn })).catch(() => undefined);
      sns.destroy();
    },
  };
}
