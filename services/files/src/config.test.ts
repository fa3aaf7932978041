import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('refuses to start without a link signing secret in every environment: no built-in fallback', () => {
    for (const NODE_ENV of ['production', 'development', 'test'])
      expect(() => loadServiceConfig({ ...base, NODE_ENV })).toThrow(/LINK_SIGNING_SECRET/);
  });

  it('uses the configured secret, inline or from LINK_SIGNING_SECRET_FILE', () => {
    const secret = 's'.repeat(40);
    expect(
      loadServiceConfig({ ...base, NODE_ENV: 'production', LINK_SIGNING_SECRET: secret }).LINK_SIGNING_SECRET,
    ).toBe(secret);
    const dir = mkdtempSync(join(tmpdir(), 'files-config-'));
    const file = join(dir, 'link-signing.secret');
    writeFileSync(file, `${'f'.repeat(43)}\n`);
    expect(loadServiceConfig({ ...base, LINK_SIGNING_SECRET_FILE: file }).LINK_SIGNING_SECRET).toBe('f'.repeat(43));
  });

  it('refuses a short signing secret, inline or in its file', () => {
    expect(() => loadServiceConfig({ ...base, LINK_SIGNING_SECRET: 'short' })).toThrow(/LINK_SIGNING_SECRET/);
    const dir = mkdtempSync(join(tmpdir(), 'files-config-'));
    const file = join(dir, 'short.secret');
    writeFileSync(file, 'short');
    expect(() => loadServiceConfig({ ...base, LINK_SIGNING_SECRET_FILE: file })).toThrow(/LINK_SIGNING_SECRET/);
  });

  it('refuses the development key that used to be built in', () => {
    expect(() =>
      loadServiceConfig({ ...base, LINK_SIGNING_SECRET: 'medvault-dev-only-link-signing-secret-do-not-use' }),
    ).toThrow(/LINK_SIGNING_SECRET/);
  });
});
