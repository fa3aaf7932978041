import { serviceEnv } from '@medvault/common/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';

const opened: Deps[] = [];
async function appWith(overrides: Record<string, string> = {}) {
  const deps = await buildDeps(loadServiceConfig(serviceEnv('files', { LOG_LEVEL: 'silent', ...overrides })));
  opened.push(deps);
  return buildApp(deps);
}

afterAll(async () => {
  await Promise.all(opened.map((d) => d.close()));
});

describe('files health', () => {
  it('is live and ready with the whole local stack up', async () => {
    const app = await appWith();
    expect((await app.inject('/health/live')).statusCode).toBe(200);
    const ready = await app.inject('/health/ready');
    expect(ready.json(), ready.body).toMatchObject({ status: 'ok', down: [] });
    expect(ready.statusCode).toBe(200);
  });

  it('answers 503 naming redis when redis is unreachable', async () => {
    const app = await appWith({ REDIS_URL: 'redis://127.0.0.1:1' });
    const ready = await app.inject('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().down).toEqual(['redis']);
  });

  it('serves Prometheus metrics', async () => {
    const app = await appWith();
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('http_requests_total');
  });
});
