import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetTopicAttributesCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import type { DependencyCheck } from './health.js';

// Each check makes the smallest real request the service's own credentials allow. None returns
// the driver's answer: /health/ready is open to unauthenticated probes, and an SDK response
// (topic policy, account id, request ids) describes the infrastructure.
const answered = () => undefined;

export const mongoCheck = (db: Db): DependencyCheck => ({
  name: 'mongo',
  check: () => db.command({ ping: 1 }).then(answered),
});
export const redisCheck = (redis: Redis): DependencyCheck => ({
  name: 'redis',
  check: async () => {
    if ((await redis.ping()) !== 'PONG') throw new Error('unexpected PING reply');
  },
});
export const s3Check = (s3: S3Client, bucket: string): DependencyCheck => ({
  name: `s3:${bucket}`,
  check: () => s3.send(new HeadBucketCommand({ Bucket: bucket })).then(answered),
});
export const sqsCheck = (sqs: SQSClient, queueUrl: string): DependencyCheck => ({
  name: 'sqs',
  check: () =>
    sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })).then(answered),
});
export const snsCheck = (sns: SNSClient, topicArn: string): DependencyCheck => ({
  name: 'sns',
  check: () => sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn })).then(answered),
});
export const kmsCheck = (kms: KMSClient, keyId: string): DependencyCheck => ({
  name: 'kms',
  check: async () => {
    const r = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    if (r.KeyMetadata?.Enabled === false) throw new Error('key disabled');
  },
});
