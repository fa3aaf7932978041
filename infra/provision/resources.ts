// KMS keys, buckets, queues and subscriptions of infra/topology.json, applied idempotently.
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  type KeySpec,
  type KeyUsageType,
} from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { type Clients, change, ignoring, sameJson, type Topology, topology } from './aws.js';
export async function ensureKey(c: Clients, spec: Topology['kms']['data']): Promise<string> {
  const existing = await ignoring(['NotFoundException'], () =>
    c.kms.send(new DescribeKeyCommand({ KeyId: spec.alias })),
  );
  let keyArn = existing?.KeyMetadata?.Arn;
  if (!keyArn) {
    const created = await c.kms.send(
      new CreateKeyCommand({
        KeySpec: spec.keySpec as KeySpec,
        KeyUsage: spec.keyUsage as KeyUsageType,
        Description: spec.description,
      }),
    );
    keyArn = created.KeyMetadata?.Arn as string;
    await c.kms.send(new CreateAliasCommand({ AliasName: spec.alias, TargetKeyId: created.KeyMetadata?.KeyId }));
    change('kms key', spec.alias);
  }
  if (spec.rotation && !(await c.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyArn }))).KeyRotationEnabled) {
    await c.kms.send(new EnableKeyRotationCommand({ KeyId: keyArn }));
    change('key rotation', spec.alias);
  }
  return keyArn;
}

export async function ensureBucket(c: Clients, b: Topology['buckets'][number], dataKeyArn: string): Promise<void> {
  const exists = await ignoring(['NotFound', 'NoSuchBucket'], () =>
    c.s3.send(new HeadBucketCommand({ Bucket: b.name })),
  );
  if (!exists) {
    // Object lock can only be switched on at creation time.
    await c.s3.send(new CreateBucketCommand({ Bucket: b.name, ObjectLockEnabledForBucket: Boolean(b.objectLock) }));
    change('bucket', b.name);
  }
  // Declarative puts: re-applying the same configuration is a no-op.
  await c.s3.send(
    new PutBucketEncryptionCommand({
      Bucket: b.name,
      ServerSideEncryptionConfiguration: {
        Rules: [
          {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: dataKeyArn },
            BucketKeyEnabled: true,
          },
        ],
      },
    }),
  );
  await c.s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: b.name,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    }),
  );
  if (b.versioning)
    await c.s3.send(new PutBucketVersioningCommand({ Bucket: b.name, VersioningConfiguration: { Status: 'Enabled' } }));
  const lc = topology.lifecycle;
  const abortMultipart = {
    ID: 'abort-incomplete-multipart',
    Status: 'Enabled' as const,
    Filter: { Prefix: '' },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: lc.abortIncompleteMultipartDays },
  };
  const expireTrash = {
    ID: 'expire-trash',
    Status: 'Enabled' as const,
    Filter: { Prefix: lc.trashPrefix },
    Expiration: { Days: lc.trashExpirationDays },
  };
  // The write-once audit bucket never expires anything.
  const Rules = b.objectLock ? [abortMultipart] : [expireTrash, abortMultipart];
  await c.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: b.name, LifecycleConfiguration: { Rules } }));
  if (b.objectLock) {
    const lock = {
      ObjectLockEnabled: 'Enabled' as const,
      Rule: { DefaultRetention: { Mode: b.objectLock.mode, Days: b.objectLock.days } },
    };
    // Only when different: moto rejects the put on a non-empty bucket ("Bucket needs to be empty").
    const current = await c.s3.send(new GetObjectLockConfigurationCommand({ Bucket: b.name }));
    const retention = current.ObjectLockConfiguration?.Rule?.DefaultRetention; // moto adds "Years": 0
    const same =
      current.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled' &&
      retention?.Mode === b.objectLock.mode &&
      retention?.Days === b.objectLock.days;
    if (!same) {
      await c.s3.send(new PutObjectLockConfigurationCommand({ Bucket: b.name, ObjectLockConfiguration: lock }));
      change('object lock', b.name);
    }
  }
}

async function queueAttributes(c: Clients, url: string): Promise<Record<string, string>> {
  return (await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};
}

export async function ensureQueue(c: Clients, name: string, desired: Record<string, string>): Promise<string> {
  const { QueueUrl } = await c.sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
  const current = await queueAttributes(c, QueueUrl);
  const diff = Object.fromEntries(Object.entries(desired).filter(([k, v]) => !sameJson(current[k], v)));
  if (Object.keys(diff).length > 0) {
    await c.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: diff }));
    change('queue', `${name} (${Object.keys(diff).join(', ')})`);
  }
  return current.QueueArn as string;
}

export async function ensureSubscription(
  c: Clients,
  topicArn: string,
  queueArn: string,
  types: string[] | null,
): Promise<void> {
  const want: Record<string, string> = { RawMessageDelivery: 'true' };
  if (types) want.FilterPolicy = JSON.stringify({ type: types });
  let NextToken: string | undefined;
  let subArn: string | undefined;
  do {
    const page = await c.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    subArn =
      page.Subscriptions?.find((s) => s.Protocol === 'sqs' && s.Endpoint === queueArn)?.SubscriptionArn ?? subArn;
    NextToken = page.NextToken;
  } while (NextToken && !subArn);
  if (!subArn) {
    await c.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        Attributes: want,
        ReturnSubscriptionArn: true,
      }),
    );
    change('subscription', queueArn.split(':').pop() ?? queueArn);
    return;
  }
  const { Attributes: current = {} } = await c.sns.send(
    new GetSubscriptionAttributesCommand({ SubscriptionArn: subArn }),
  );
  for (const [AttributeName, AttributeValue] of Object.entries(want)) {
    if (sameJson(current[AttributeName], AttributeValue)) continue;
    await c.sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: subArn, AttributeName, AttributeValue }));
    change('subscription', `${queueArn.split(':').pop()} ${AttributeName}`);
  }
}
