import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';
import {
  internalServiceConfigSchema,
  JwtVerifierConfigSchema,
  mongoConfigSchema,
  queueConfigSchema,
  RedisConfigSchema,
  serviceConfigSchema,
} from './partials.js';

const Schema = Type.Object({
  ...serviceConfigSchema('DEMO_PORT', 8099).properties,
  ...mongoConfigSchema('medvault_demo').properties,
  ...RedisConfigSchema.properties,
  ...queueConfigSchema('DEMO_QUEUE_NAME', 'medvault-demo').properties,
  ...JwtVerifierConfigSchema.properties,
});

const env = { MONGO_URL: 'mongodb://m', REDIS_URL: 'redis://r', QUEUE_URL_BASE: 'http://q/000000000000' };

describe('config partial schemas', () => {
  it('compose into one service schema with the shared defaults', () => {
    const c = loadConfig(Schema, env);
    expect(c).toMatchObject({
      DEMO_PORT: 8099,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      MONGO_DB: 'medvault_demo',
      DEMO_QUEUE_NAME: 'medvault-demo',
      JWT_ISSUER: 'medvault-gateway',
      JWT_AUDIENCE: 'medvault-api',
    });
  });

  it('name every missing shared key in one error', () => {
    try {
      loadConfig(Schema, { DEMO_PORT: '1' });
      expect.unreachable('loadConfig accepted a config without MONGO_URL');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => p.key).sort()).toEqual([
        'MONGO_URL',
        'QUEUE_URL_BASE',
        'REDIS_URL',
      ]);
    }
  });

  it('convert the port key the service chose to a number', () => {
    expect(loadConfig(Schema, { ...env, DEMO_PORT: '9000' }).DEMO_PORT).toBe(9000);
  });
});

describe('the internal service preset', () => {
  const Internal = Type.Object({
    ...internalServiceConfigSchema({ port: ['DEMO_PORT', 8099], queue: ['DEMO_QUEUE_NAME', 'medvault-demo'] })
      .properties,
  });
  const env = { REDIS_URL: 'redis://r', QUEUE_URL_BASE: 'http://q/000000000000' };

  it('holds the keys every internal service reads, with their shared defaults', () => {
    expect(loadConfig(Internal, env)).toMatchObject({
      AWS_REGION: 'us-east-1',
      DEMO_PORT: 8099,
      HOST: '127.0.0.1',
      DEMO_QUEUE_NAME: 'medvault-demo',
      JWT_ISSUER: 'medvault-gateway',
      GATEWAY_ASSERTION_PUBLIC_KEY_FILE: '.local/state/internal/public.pem',
    });
  });

  it('names its missing keys in one error', () => {
    expect(() => loadConfig(Internal, {})).toThrow(/REDIS_URL.*QUEUE_URL_BASE|QUEUE_URL_BASE.*REDIS_URL/);
  });

  it('asks for a database and the events topic only of a service that says it has them', () => {
    const Full = internalServiceConfigSchema({
      port: ['DEMO_PORT', 8099],
      queue: ['DEMO_QUEUE_NAME', 'medvault-demo'],
      database: 'medvault_demo',
      publishes: true,
    });
    const full = loadConfig(Full, { ...env, MONGO_URL: 'mongodb://m', EVENTS_TOPIC_ARN: 'arn:aws:sns:x' });
    expect(full.MONGO_DB).toBe('medvault_demo');
    expect(full.EVENTS_TOPIC_ARN).toBe('arn:aws:sns:x');
    expect(() => loadConfig(Full, env)).toThrow(/MONGO_URL.*EVENTS_TOPIC_ARN|EVENTS_TOPIC_ARN.*MONGO_URL/);
    const plain = loadConfig(Internal, env);
    // @ts-expect-error: a service without a database has no MONGO_URL in its config type either
    expect(plain.MONGO_URL).toBeUndefined();
    expect(Object.keys(Internal.properties)).not.toContain('MONGO_URL');
    expect(Object.keys(Internal.properties)).not.toContain('EVENTS_TOPIC_ARN');
  });
});
