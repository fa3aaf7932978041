import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/index.js';
import { platform } from './index.js';

const config = {
  LOG_LEVEL: 'silent',
  AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
  MONGO_URL: 'mongodb://127.0.0.1:1',
  MONGO_DB: 'scratch',
  EVENTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:t',
  QUEUE_URL_BASE: 'http://127.0.0.1:1/000000000000',
};

describe('platform', () => {
  it('builds only the clients a service asks for, each with its readiness check', async () => {
    const p = platform('demo', config);
    p.mongo();
    p.queue('medvault-demo');
    expect(p.checks.map((c) => c.name)).toEqual(['mongo', 'sqs']);
    await p.close();
  });

  it('returns the same client when asked twice, with one check', async () => {
    const p = platform('demo', config);
    expect(p.publisher().sns).toBe(p.publisher().sns);
    expect(p.checks.map((c) => c.name)).toEqual(['sns']);
    await p.close();
  });

  it('checks every bucket the service names and the KMS key it uses', async () => {
    const p = platform('demo', config);
    p.s3({ buckets: ['a', 'b'] });
    p.kms({ keyId: 'alias/x' });
    expect(p.checks.map((c) => c.name)).toEqual(['s3:a', 's3:b', 'kms']);
    await p.close();
  });

  it('names the missing config key when a client is asked for without it', () => {
    const p = platform('demo', { LOG_LEVEL: 'silent' });
    expect(() => p.redis()).toThrow(ConfigError);
    expect(() => p.redis()).toThrow(/REDIS_URL/);
  });

  it('finishes beforeClose work in order before closing the clients', async () => {
    const p = platform('demo', config);
    const order: string[] = [];
    p.beforeClose(async () => void order.push('flush'));
    p.beforeClose(async () => void order.push('relay'));
    p.onClose(async () => void order.push('client'));
    await p.close();
    expect(order).toEqual(['flush', 'relay', 'client']);
  });

  it('puts the queue name after the configured base', () => {
    const p = platform('demo', config);
    expect(p.queue('medvault-demo').queueUrl).toBe('http://127.0.0.1:1/000000000000/medvault-demo');
  });
});
