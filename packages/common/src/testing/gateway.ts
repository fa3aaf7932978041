import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { GATEWAY_ASSERTION_HEADER, GatewayAssertionSigner } from '../auth/internal.js';
import { newId } from '../ids/index.js';
import { repoRoot } from './paths.js';

/** Private key of the local stack's gateway assertions (.local/state/internal/private.pem). */
export function localAssertionKeyPem(): string {
  const file = process.env.GATEWAY_ASSERTION_PRIVATE_KEY_FILE ?? '.local/state/internal/private.pem';
  return readFileSync(file.startsWith('/') ? file : join(repoRoot, file), 'utf8');
}

/** The client address test assertions carry unless told otherwise (TEST-NET-2, never a real host). */
export const TEST_CLIENT_IP = '198.51.100.7';

export interface TestAssertionOptions {
  /** The internal service the request is for (its SERVICE name). */
  audience: string;
  method: string;
  url: string;
  requestId: string;
  authorization?: string | undefined;
  clientIp?: string;
  ttl?: number;
  /** Mint as if at this time (ms since epoch): an expired assertion for security tests. */
  nowMs?: number;
  /** Another key (PEM): a forged assertion. */
  privateKeyPem?: string;
}

/** Mints a gateway assertion the way the gateway's proxy does, for tests of internal services. */
export function mintGatewayAssertion(o: TestAssertionOptions): string {
  const signer = new GatewayAssertionSigner({
    privateKeyPem: o.privateKeyPem ?? localAssertionKeyPem(),
    ttlSeconds: o.ttl ?? 60,
    ...(o.nowMs === undefined ? {} : { nowMs: o.nowMs }),
  });
  return signer.assert({
    audience: o.audience,
    requestId: o.requestId,
    method: o.method,
    url: o.url,
    authorization: o.authorization,
    clientIp: o.clientIp ?? TEST_CLIENT_IP,
  });
}

type Headers = Record<string, string | string[] | number | undefined>;

/**
 * The headers the gateway would add to a request for `service`: a request id (kept if the
 * caller set one) and the assertion bound to it, the method, path and Authorization header.
 * `url` may be a path or an absolute URL (a test talking to a listening app).
 */
export function gatewayHeaders(
  service: string,
  req: { method: string; url: string; headers?: Headers },
  o: { clientIp?: string } = {},
): Record<string, string> {
  const h = req.headers ?? {};
  const rid = typeof h['x-request-id'] === 'string' ? h['x-request-id'] : newId('request');
  const authorization = typeof h.authorization === 'string' ? h.authorization : undefined;
  return {
    'x-request-id': rid,
    [GATEWAY_ASSERTION_HEADER]: mintGatewayAssertion({
      audience: service,
      method: req.method.toUpperCase(),
      url: req.url,
      requestId: rid,
      authorization,
      ...(o.clientIp ? { clientIp: o.clientIp } : {}),
    }),
  };
}

/**
 * Makes `app.inject({...})` behave like a request proxied by the gateway (a valid assertion is
 * added unless the test set the header itself), so integration tests of an internal service
 * exercise the real check. The untouched inject stays available as `direct` for attack tests.
 */
export function viaGateway<A extends FastifyInstance>(app: A, service: string): A & { direct: A['inject'] } {
  const direct = app.inject.bind(app);
  const inject = (arg: InjectOptions | string) => {
    const opts: InjectOptions = typeof arg === 'string' ? { url: arg } : arg;
    const headers: Headers = { ...(opts.headers as Headers | undefined) };
    if (headers[GATEWAY_ASSERTION_HEADER] === undefined) {
      const url = typeof opts.url === 'string' ? opts.url : (opts.path as string);
      Object.assign(headers, gatewayHeaders(service, { method: opts.method ?? 'GET', url, headers }));
    }
    return direct({ ...opts, headers });
  };
  return Object.assign(app, { inject, direct }) as A & { direct: A['inject'] };
}
