import { describe, expect, it } from 'vitest';
import { loadServiceConfig } from './config.js';

describe('files configuration', () => {
  it('refuses to start without required keys, naming each one', () => {
    expect(() => loadServiceConfig({})).toThrow(/Invalid configuration: .*MONGO_URL/);
  });

  it('names a key whose value has the wrong type', () => {
    expect(() => loadServiceConfig({ FILES_PORT: 'eighty' })).toThrow(/FILES_PORT/);
  });
});

describe('files link signing configuration', () => {
  const base = {
    MONGO_URL: 'mongodb://127.0.0.1:27017',
    REDIS_URL: 'redis://127.0.0.1:6379',
    EVENTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:1:t',
    QUEUE_URL_BASE: 'http://127.0.0.1:4566/1',
    BUCKET_QUARANTINE: 'q',
    BUCKET_CLEAN: 'c',
    BUCKET_DERIVATIVES: 'd',
    KMS_DATA_KEY_ID: 'alias/k',
  };

  it('refuses to start in production without LINK_SIGNING_SECRET', () => {
    expect(() => loadServiceConfig({ ...base, NODE_ENV: 'production' })).toThrow(/LINK_SIGNING_SECRET/);
  });

  it('uses a development-only secret outside production and the configured one when given', () => {
    expect(loadServiceConfig(base).LINK_SIGNING_SECRET).toMatch(/dev-only/);
    const secret = 's'.repeat(40);
    expect(
      loadServiceConfig({ ...base, NODE_ENV: 'production', LINK_SIGNING_SECRET: secret }).LINK_SIGNING_SECRET,
    ).toBe(secret);
  });

  it('refuses a short signing secret', () => {
    expect(() => loadServiceConfig({ ...base, LINK_SIGNING_SECRET: 'short' })).toThrow(/LINK_SIGNING_SECRET/);
  });
});
