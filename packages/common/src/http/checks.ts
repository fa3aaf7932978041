import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import type { DependencyCheck } from './health.js';

// Each check makes the smallest real request the service's own credentials allow, and resolves to
// nothing: an SDK answer (topic policy, account id, queue ARNs) must never become readiness details.
const quietly = async (p: Promise<unknown>): Promise<void> => {
  await p;
};
export const mongoCheck = (db: Db): DependencyCheck => ({
  name: 'mongo',
  check: () => quietly(db.command({ ping: 1 })),
});
export const redisCheck = (redis: Redis): DependencyCheck => ({
  name: 'redis',
  check: async () => {
    if ((await redis.ping()) !== 'PONG') throw new Error('unexpected PING reply');
  },
});
export const s3Check = (s3: S3Client, bucket: string): DependencyCheck => ({
  name: `s3:${bucket}`,
  check: () => quietly(s3.send(new HeadBucketCommand({ Bucket: bucket }))),
});
export const sqsCheck = (sqs: SQSClient, queueUrl: string): DependencyCheck => ({
  name: 'sqs',
  check: () => quietly(sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))),
});
export const snsCheck = (sns: SNSClient, topicArn: string): DependencyCheck => ({
  name: 'sns',
  check: () => quietly(sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))),
});
export const kmsCheck = (kms: KMSClient, keyId: string): DependencyCheck => ({
  name: 'kms',
  check: async () => {
    const r = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    if (r.KeyMetadata?.Enabled === false) throw new Error('key disabled');
  },
});
