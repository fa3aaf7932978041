import { GATEWAY_ASSERTION_HEADER } from '@medvault/common/auth';
import type { Deps } from '../deps.js';

export { GATEWAY_ASSERTION_HEADER };

/**
 * The assertion for one proxied request (common/auth/internal.ts): minted for the target service,
 * this request id, method, path and Authorization header, with the client address as the gateway
 * sees it (req.ip: the socket, or the load balancer's X-Forwarded-For when TRUST_PROXY is set).
 * Internal services take the client address from here only; a client's own X-Forwarded-For
 * never reaches them as anything they trust.
 */
export function assertionFor(
  deps: Pick<Deps, 'assertions'>,
  audience: string,
  req: { id: string; method: string; url: string; ip: string },
  authorization: string | string[] | undefined,
): string {
  return deps.assertions.assert({
    audience,
    requestId: req.id,
    method: req.method,
    url: req.url,
    authorization: typeof authorization === 'string' ? authorization : undefined,
    clientIp: req.ip,
  });
}
