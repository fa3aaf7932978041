import { describe, expect, it } from 'vitest';
import { loadServiceConfig } from './config.js';

describe('chat configuration', () => {
  it('refuses to start without required keys, naming each one', () => {
    expect(() => loadServiceConfig({})).toThrow(/Invalid configuration: .*GATEWAY_URL/);
  });

  it('refuses a moderation action other than reject or flag', () => {
    expect(() => loadServiceConfig({ CHAT_PROFANITY_ACTION: 'ignore' })).toThrow(/CHAT_PROFANITY_ACTION/);
  });
});
