import { serviceEnv } from '@medvault/common/testing';
import { describeHealth } from '@medvault/common/testing/health';
import { expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';
import { buildAdminApp } from '../src/http/admin.js';

const opened: Deps[] = [];

describeHealth(
  {
    service: 'gateway',
    buildDeps: (env) => buildDeps(loadServiceConfig(env)),
    buildApp,
    // The public entry point says only up or down (pentest finding 18).
    readiness: 'none',
  },
  (appWith) => {
    // Pentest finding 18 (issue 14): the public readiness answer carried the SNS topic policy,
    // the account id and queue ARNs.
    it('says nothing about the infrastructure on the public /health/ready, up or down', async () => {
      const up = await (await appWith()).inject('/health/ready');
      const down = await (await appWith({ REDIS_URL: 'redis://127.0.0.1:1' })).inject('/health/ready');
      expect([up.statusCode, down.statusCode]).toEqual([200, 503]);
      for (const body of [up.body, down.body]) expect(body).not.toMatch(/arn:|redis|sns|sqs|Policy|\d{12}/);
    });

    it('gives operators the detailed readiness on the admin listener, naming redis when it is down', async () => {
      const deps = await buildDeps(
        loadServiceConfig(serviceEnv('gateway', { LOG_LEVEL: 'silent', REDIS_URL: 'redis://127.0.0.1:1' })),
      );
      opened.push(deps);
      const admin = await buildAdminApp(deps);
      const ready = await admin.inject('/health/ready');
      expect(ready.statusCode).toBe(503);
      expect(ready.json().down).toEqual(['redis']);
      expect(ready.body).not.toContain('Policy');
      expect((await admin.inject('/metrics')).statusCode).toBe(200);
      await Promise.all(opened.splice(0).map((d) => d.close()));
    });
  },
);
