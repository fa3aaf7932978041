import { describeHealth } from '@medvault/common/testing/health';
import { expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps } from '../src/deps.js';

describeHealth(
  {
    service: 'appointments',
    buildDeps: (env) => buildDeps(loadServiceConfig(env)),
    buildApp,
    checks: ['mongo', 'redis', 'sns', 'sqs'],
  },
  (appWith) => {
    it('shows an unauthenticated probe the status of each dependency and nothing of the infrastructure', async () => {
      const ready = await (await appWith()).inject('/health/ready');
      expect(ready.json().checks).toEqual({
        mongo: { status: 'up' },
        redis: { status: 'up' },
        sns: { status: 'up' },
        sqs: { status: 'up' },
      });
    });

    it('says which dependency is down without its address or error text', async () => {
      const ready = await (await appWith({ REDIS_URL: 'redis://127.0.0.1:1' })).inject('/health/ready');
      // The probe needs no gateway assertion, so it must not describe the infrastructure.
      expect(ready.json().checks.redis).toEqual({ status: 'down' });
      expect(ready.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    });
  },
);
