import { describeHealth } from '@medvault/common/testing/health';
import { buildApp } from '../src/app.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps } from '../src/deps.js';

describeHealth({
  service: 'watermark',
  buildDeps: (env) => buildDeps(loadServiceConfig(env)),
  buildApp,
  checks: ['redis'],
});
