import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';

/**
 * Operator-level helper for the dead-letter stories (API e2e and the console's Playwright story):
 * puts letters straight into a service's dead-letter queue with the provisioner's credentials, as
 * if the service had failed them maxReceiveCount times. Self-contained (no @medvault/common), so
 * Playwright can load it from web/e2e too.
 *
 * The letters are valid `user.updated` events about a user that does not exist, sent to the
 * gateway's DLQ: the gateway's consumer handles no event type, so after a redrive it acknowledges
 * them without effect and they do not come back (a malformed letter would return to the DLQ).
 */
export const DLQ_SERVICE = 'gateway';

const root = new URL('../../', import.meta.url);

function provisionerCredentials() {
  const file = new URL('.local/state/credentials/provisioner.env', root);
  if (!existsSync(file)) return {};
  const v = Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#') && l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^"|"$/g, '')]),
  );
  return v.AWS_ACCESS_KEY_ID && v.AWS_SECRET_ACCESS_KEY
    ? { credentials: { accessKeyId: v.AWS_ACCESS_KEY_ID, secretAccessKey: v.AWS_SECRET_ACCESS_KEY } }
    : {};
}

function sqsClient() {
  return new SQSClient({
    region: process.env.AWS_REGION ?? 'us-east-1',
    ...(process.env.AWS_ENDPOINT_URL ? { endpoint: process.env.AWS_ENDPOINT_URL } : {}),
    ...provisionerCredentials(),
  });
}

const dlqUrl = (service: string) => `${(process.env.QUEUE_URL_BASE ?? '').replace(/\/$/, '')}/medvault-${service}-dlq`;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const eventId = () => `evt_${[...randomBytes(26)].map((b) => CROCKFORD[b % 32]).join('')}`;

/** Puts `n` dead letters (at most 10) into `service`'s dead-letter queue. */
export async function putDeadLetters(n: number, service = DLQ_SERVICE): Promise<void> {
  const sqs = sqsClient();
  try {
    const Entries = Array.from({ length: n }, (_, i) => ({
      Id: String(i),
      MessageBody: JSON.stringify({
        id: eventId(),
        type: 'user.updated',
        version: 1,
        occurredAt: new Date().toISOString(),
        correlationId: `e2e-dead-letter-${i}`,
        source: 'e2e',
        data: { userId: `usr_deadletter${i}`, role: 'patient', active: true, changes: ['name'] },
      }),
    }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: dlqUrl(service), Entries }));
  } finally {
    sqs.destroy();
  }
}

/** Messages waiting in `service`'s dead-letter queue, read on SQS directly. */
export async function deadLetterDepth(service = DLQ_SERVICE): Promise<number> {
  const sqs = sqsClient();
  try {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl(service), AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? Number.NaN);
  } finally {
    sqs.destroy();
  }
}
