import { describeHealth } from '@medvault/common/testing/health';
import { expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps } from '../src/deps.js';

describeHealth(
  {
    service: 'scanner',
    buildDeps: (env) => buildDeps(loadServiceConfig(env)),
    buildApp,
    checks: ['mongo', 'redis', 'clamd'],
  },
  (appWith) => {
    it('shows clamd up with its engine and signature database version on /health/ready', async () => {
      const app = await appWith();
      const ready = await app.inject('/health/ready');
      expect(ready.json().checks.clamd).toMatchObject({
        status: 'up',
        engine: expect.stringMatching(/^ClamAV /),
        databaseVersion: expect.stringMatching(/^\d+$/),
      });
    });

    it('names clamd as down when it cannot be reached', async () => {
      const app = await appWith({ CLAMD_PORT: '1' });
      const ready = await app.inject('/health/ready');
      expect(ready.statusCode).toBe(503);
      expect(ready.json().down).toContain('clamd');
    });

    it('exports the signature database version and age as gauges', async () => {
      const app = await appWith();
      await app.inject('/health/ready');
      const res = await app.inject('/metrics');
      expect(res.body).toMatch(/^clamav_database_version(\{[^}]*\})? \d+/m);
      expect(res.body).toMatch(/^clamav_database_age_seconds(\{[^}]*\})? -?\d+/m);
    });
  },
);
