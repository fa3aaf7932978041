import { serviceEnv } from '@medvault/common/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAdminApp } from '../src/admin.js';
import { buildApp } from '../src/app.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';

const opened: Deps[] = [];
async function appWith(overrides: Record<string, string> = {}) {
  const deps = buildDeps(loadServiceConfig(serviceEnv('gateway', { LOG_LEVEL: 'silent', ...overrides })));
  opened.push(deps);
  return buildApp(deps);
}

afterAll(async () => {
  await Promise.all(opened.map((d) => d.close()));
});

describe('gateway health', () => {
  it('is live and ready with the whole local stack up', async () => {
    const app = await appWith();
    expect((await app.inject('/health/live')).statusCode).toBe(200);
    const ready = await app.inject('/health/ready');
    expect(ready.statusCode, ready.body).toBe(200);
  });

  // Pentest finding 18 (issue 14): the public readiness answer carried the SNS topic policy,
  // the account id and queue ARNs.
  it('says only up or down on the public /health/ready, nothing about the infrastructure', async () => {
    const up = await (await appWith()).inject('/health/ready');
    expect(up.statusCode).toBe(200);
    expect(up.json()).toEqual({ status: 'ok' });
    const down = await (await appWith({ REDIS_URL: 'redis://127.0.0.1:1' })).inject('/health/ready');
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ status: 'unavailable' });
    for (const body of [up.body, down.body]) expect(body).not.toMatch(/arn:|redis|sns|sqs|Policy|\d{12}/);
  });

  it('gives operators the detailed readiness on the admin listener, naming redis when it is down', async () => {
    const deps = buildDeps(
      loadServiceConfig(serviceEnv('gateway', { LOG_LEVEL: 'silent', REDIS_URL: 'redis://127.0.0.1:1' })),
    );
    opened.push(deps);
    const admin = await buildAdminApp(deps);
    const ready = await admin.inject('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().down).toEqual(['redis']);
    expect(ready.body).not.toContain('Policy');
    expect((await admin.inject('/metrics')).statusCode).toBe(200);
  });

  it('serves Prometheus metrics', async () => {
    const app = await appWith();
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('http_requests_total');
  });
});
