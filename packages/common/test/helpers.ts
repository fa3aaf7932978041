import { type SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../src/aws/index.js';
import { credentialsFor, unique } from '../src/testing/index.js';

/** Admin (provisioner) AWS config: test setup only, services use their own credentials. */
export function adminAws() {
  return awsClientConfig({
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
    ...credentialsFor('provisioner'),
  });
}

export interface TempQueue {
  url: string;
  dlqUrl: string;
  close(): Promise<void>;
}

/** A throw-away queue + DLQ, optionally subscribed to the events topic with a filter policy. */
export async function tempQueue(
  sqs: SQSClient,
  sns: SNSClient,
  opts: { filter?: string[]; maxReceiveCount?: number; visibilityTimeout?: number; subscribe?: boolean } = {},
): Promise<TempQueue> {
  const name = unique('t');
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  const q = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(opts.visibilityTimeout ?? 30),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn,
          maxReceiveCount: String(opts.maxReceiveCount ?? 5),
        }),
      },
    }),
  );
  let subscriptionArn: string | undefined;
  if (opts.subscribe !== false) {
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn;
    const sub = await sns.send(
      new SubscribeCommand({
        TopicArn: process.env.EVENTS_TOPIC_ARN,
        Protocol: 'sqs',
        Endpoint: arn,
        Attributes: {
          RawMessageDelivery: 'true',
          ...(opts.filter ? { FilterPolicy: JSON.stringify({ type: opts.filter }) } : {}),
        },
      }),
    );
    subscriptionArn = sub.SubscriptionArn;
  }
  return {
    url: q.QueueUrl!,
    dlqUrl: dlq.QueueUrl!,
    async close() {
      if (subscriptionArn)
        await sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn })).catch(() => undefined);
      await sqs.send(new DeleteQueueCommand({ QueueUrl: q.QueueUrl })).catch(() => undefined);
      await sqs.send(new DeleteQueueCommand({ QueueUrl: dlq.QueueUrl })).catch(() => undefined);
    },
  };
}
