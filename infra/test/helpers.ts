// AWS SDK clients for the integration tests, authenticated as one service's IAM user.
import { randomUUID } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readServiceCredentials } from '../provision/credentials.js';

/** Clients of the stack's emulator, or of another one (`target`, e.g. the IAM-evaluating moto). */
export function clientsFor(service: string, target?: { endpoint: string; credentialsDir: string }) {
  const base = {
    region: process.env.AWS_REGION ?? 'us-east-1',
    endpoint: target?.endpoint ?? process.env.AWS_ENDPOINT_URL,
    credentials: readServiceCredentials(service, target?.credentialsDir),
    maxAttempts: 1,
  };
  return {
    s3: new S3Client({ ...base, forcePathStyle: true }),
    kms: new KMSClient(base),
    sns: new SNSClient(base),
    sqs: new SQSClient(base),
  };
}

export const queueUrl = (name: string, base = process.env.QUEUE_URL_BASE): string => `${base}/${name}`;
export const uniqueId = (): string => randomUUID();

/**
 * Looks for the message whose body contains `marker` (deleting it), releasing any other message
 * at once (visibility 0) so tests of other packages sharing the queue are not delayed.
 */
export async function receiveMarked(
  sqs: SQSClient,
  queue: string,
  marker: string,
  waitSeconds: number,
): Promise<Message | undefined> {
  const deadline = Date.now() + waitSeconds * 1000;
  do {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl(queue),
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    const hit = Messages.find((m) => m.Body?.includes(marker));
    if (hit) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl(queue), ReceiptHandle: hit.ReceiptHandle }));
      return hit;
    }
  } while (Date.now() < deadline);
  return undefined;
}

/** The error name of a rejected promise (the SDK maps AWS error codes to `name`). */
export async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as Error).name;
  }
  return 'no error';
}

/**
 * 'denied' when the request was refused by IAM. moto answers JSON-protocol services (KMS, SQS)
 * with an XML error body the SDK cannot parse, so a bare HTTP 403 counts as a denial too.
 */
export async function outcomeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'allowed';
  } catch (err) {
    const { name, $metadata } = err as { name: string; $metadata?: { httpStatusCode?: number } };
    return /AccessDenied|AuthorizationError/.test(name) || $metadata?.httpStatusCode === 403 ? 'denied' : name;
  }
}
