import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/index.js';
import { gatewayOnlyCallers } from './callers.js';

describe('gateway-only caller policy from config', () => {
  it('stops the service at start naming the key when the assertion key file is missing', () => {
    const start = () => gatewayOnlyCallers({ GATEWAY_ASSERTION_PUBLIC_KEY_FILE: '/nonexistent/public.pem' });
    expect(start).toThrow(ConfigError);
    expect(start).toThrow(/GATEWAY_ASSERTION_PUBLIC_KEY_FILE \(cannot read \/nonexistent\/public\.pem \(ENOENT\)/);
  });

  it('stops the service at start naming the key when the inline key is not an Ed25519 public key', () => {
    expect(() =>
      gatewayOnlyCallers({ GATEWAY_ASSERTION_PUBLIC_KEY: 'garbage', GATEWAY_ASSERTION_PUBLIC_KEY_FILE: 'unused' }),
    ).toThrow(/GATEWAY_ASSERTION_PUBLIC_KEY is not an Ed25519 public key/);
  });
});
