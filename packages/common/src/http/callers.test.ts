import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/index.js';
import { gatewayOnlyCallers } from './callers.js';

const jwt = { JWT_ISSUER: 'medvault-gateway', JWT_AUDIENCE: 'medvault-api' };
const keys = () => ({
  jwtPublicKey: generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString(),
});

describe('gateway-only caller policy from config', () => {
  it('stops the service at start naming the key when the assertion key file is missing', () => {
    const start = () =>
      gatewayOnlyCallers({ ...jwt, GATEWAY_ASSERTION_PUBLIC_KEY_FILE: '/nonexistent/public.pem' }, keys());
    expect(start).toThrow(ConfigError);
    expect(start).toThrow(/GATEWAY_ASSERTION_PUBLIC_KEY_FILE \(cannot read \/nonexistent\/public\.pem \(ENOENT\)/);
  });

  it('stops the service at start naming the key when the inline key is not an Ed25519 public key', () => {
    expect(() =>
      gatewayOnlyCallers(
        { ...jwt, GATEWAY_ASSERTION_PUBLIC_KEY: 'garbage', GATEWAY_ASSERTION_PUBLIC_KEY_FILE: 'unused' },
        keys(),
      ),
    ).toThrow(/GATEWAY_ASSERTION_PUBLIC_KEY is not an Ed25519 public key/);
  });
});
