import { describe, expect, it } from 'vitest';
import { loadServiceConfig } from './config.js';

describe('gateway configuration', () => {
  it('refuses to start without required keys, naming each one', () => {
    expect(() => loadServiceConfig({})).toThrow(/Invalid configuration: .*MONGO_URL/);
  });

  it('names a key whose value has the wrong type', () => {
    expect(() => loadServiceConfig({ GATEWAY_PORT: 'eighty' })).toThrow(/GATEWAY_PORT/);
  });
});

describe('gateway configuration: auth, routing and edge keys', () => {
  const base = {
    MONGO_URL: 'mongodb://127.0.0.1:27017',
    REDIS_URL: 'redis://127.0.0.1:6379',
    EVENTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:medvault-events',
    QUEUE_URL_BASE: 'http://127.0.0.1:4566/123456789012',
    FILES_URL: 'http://127.0.0.1:8081',
    APPOINTMENTS_URL: 'http://127.0.0.1:8084',
    NOTIFY_URL: 'http://127.0.0.1:8085',
    AUDIT_URL: 'http://127.0.0.1:8086',
  };

  it('applies sane defaults', () => {
    const c = loadServiceConfig(base);
    expect(c).toMatchObject({
      ACCESS_TOKEN_TTL_SECONDS: 900,
      LOGIN_MAX_FAILURES: 5,
      RATE_LIMIT_ENABLED: true,
      CORS_ORIGINS: '',
      TRUST_PROXY: false,
    });
  });

  it('names a missing upstream URL', () => {
    const { FILES_URL: _omit, ...rest } = base;
    expect(() => loadServiceConfig(rest)).toThrow(/FILES_URL/);
  });

  it('refuses an access token lifetime above an hour', () => {
    expect(() => loadServiceConfig({ ...base, ACCESS_TOKEN_TTL_SECONDS: '86400' })).toThrow(/ACCESS_TOKEN_TTL_SECONDS/);
  });

  it('needs the TLS certificate and key together', () => {
    expect(() => loadServiceConfig({ ...base, TLS_CERT_FILE: '/tmp/cert.pem' })).toThrow(
      /TLS_CERT_FILE and TLS_KEY_FILE/,
    );
  });

  it('refuses a malformed bootstrap admin email', () => {
    expect(() => loadServiceConfig({ ...base, BOOTSTRAP_ADMIN_EMAIL: 'admin' })).toThrow(/BOOTSTRAP_ADMIN_EMAIL/);
  });

  it('refuses a weak bootstrap admin password, saying why', () => {
    expect(() =>
      loadServiceConfig({
        ...base,
        BOOTSTRAP_ADMIN_EMAIL: 'admin@medvault.local',
        BOOTSTRAP_ADMIN_PASSWORD: 'password1234',
      }),
    ).toThrow(/BOOTSTRAP_ADMIN_PASSWORD is a commonly used/);
  });

  it('puts the operators listener on 127.0.0.1, GATEWAY_PORT + 1000 by default, and refuses it on the public port', () => {
    expect(loadServiceConfig(base)).toMatchObject({ GATEWAY_ADMIN_PORT: 9080, GATEWAY_ADMIN_HOST: '127.0.0.1' });
    expect(loadServiceConfig({ ...base, GATEWAY_PORT: '8280' }).GATEWAY_ADMIN_PORT).toBe(9280);
    expect(loadServiceConfig({ ...base, GATEWAY_ADMIN_PORT: '7000' }).GATEWAY_ADMIN_PORT).toBe(7000);
    expect(() => loadServiceConfig({ ...base, GATEWAY_PORT: '9090', GATEWAY_ADMIN_PORT: '9090' })).toThrow(
      /GATEWAY_ADMIN_PORT must differ/,
    );
  });
});
