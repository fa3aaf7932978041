import { describe, expect, it } from 'vitest';
import { type ReadinessProbe, serviceHealth } from './service-health.js';

describe('service health at a glance', () => {
  it('reports each service up or down with the names of its failing dependencies', async () => {
    const probe: ReadinessProbe = async (url) =>
      url.startsWith('http://files')
        ? { status: 200, body: { status: 'ok', down: [] } }
        : { status: 503, body: { status: 'unavailable', down: ['mongo', 42] } };
    const r = await serviceHealth({ files: 'http://files:1/', audit: 'http://audit:2' }, probe, () => 0);
    expect(r).toEqual([
      { name: 'files', status: 'up', down: [], latencyMs: 0 },
      { name: 'audit', status: 'down', down: ['mongo'], latencyMs: 0 },
    ]);
  });

  it('asks each service’s readiness path once', async () => {
    const asked: string[] = [];
    await serviceHealth({ chat: 'http://chat:3/' }, async (url) => {
      asked.push(url);
      return { status: 200, body: {} };
    });
    expect(asked).toEqual(['http://chat:3/health/ready']);
  });

  it('says an unreachable service is down rather than failing the whole answer', async () => {
    const r = await serviceHealth({ notify: 'http://notify:4' }, async () => {
      throw new Error('ECONNREFUSED 10.0.0.1:4');
    });
    expect(r).toEqual([{ name: 'notify', status: 'down', down: [], latencyMs: expect.any(Number) }]);
  });
});
