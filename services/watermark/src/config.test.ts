import { describe, expect, it } from 'vitest';
import { loadServiceConfig } from './config.js';

describe('watermark configuration', () => {
  it('refuses to start without required keys, naming each one', () => {
    expect(() => loadServiceConfig({})).toThrow(/Invalid configuration: .*REDIS_URL/);
  });

  it('names a key whose value has the wrong type', () => {
    expect(() => loadServiceConfig({ WATERMARK_PORT: 'eighty' })).toThrow(/WATERMARK_PORT/);
  });
});
