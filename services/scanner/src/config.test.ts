import { describe, expect, it } from 'vitest';
import { loadServiceConfig } from './config.js';

describe('scanner configuration', () => {
  it('refuses to start without required keys, naming each one', () => {
    expect(() => loadServiceConfig({})).toThrow(/Invalid configuration: .*MONGO_URL/);
  });

  it('names a key whose value has the wrong type', () => {
    expect(() => loadServiceConfig({ SCANNER_PORT: 'eighty' })).toThrow(/SCANNER_PORT/);
  });
});
