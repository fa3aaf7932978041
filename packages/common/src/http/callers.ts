import type { FastifyInstance, FastifyRequest } from 'fastify';
import { accessTokenSubject, GATEWAY_ASSERTION_HEADER, GatewayAssertionVerifier } from '../auth/internal.js';
import type { Role } from '../auth/principal.js';
import { type GatewayAssertionKeyConfig, readKeyPem } from '../config/index.js';
import { AppError } from '../errors/index.js';
import { createEvent, type Envelope, parseEvent } from '../events/index.js';
import { counter } from './metrics.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The end client's address: on the gateway its own view (req.ip, TRUST_PROXY toward a load
     * balancer in front); on an internal service the address from the verified gateway assertion.
     * Never read X-Forwarded-For anywhere else.
     */
    clientIp: string;
  }
}

/**
 * Who may call a service built on the base app:
 * - `edge`: the gateway, which faces clients;
 * - `gateway-only`: internal services, which accept a request only with a valid gateway assertion
 *   (see auth/internal.ts) and record every refusal through `denied` (access.denied).
 */
export type CallerPolicy =
  | { kind: 'edge' }
  | {
      kind: 'gateway-only';
      /** PEM (SPKI) Ed25519 public key of the gateway's assertion key. */
      publicKey: string;
      /**
       * Where refusals go besides the log: the bus, or for the audit service its own chain.
       * Absent for a service without a bus grant (notify): the log line is then the trail.
       */
      denied?: ((event: Envelope) => Promise<unknown>) | undefined;
      /** Names the user of a genuine access token on a refused request (attribution only). */
      identify?: ((authorization: string | undefined) => { userId: string; role: Role } | undefined) | undefined;
    };

/** Ops probes stay reachable without the gateway (they serve no user data). */
const OPS_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);
/** Denials being recorded at once; beyond this a flood of direct hits is counted, logged, not queued. */
const MAX_IN_FLIGHT = 32;

const refused = counter('internal_direct_requests_refused_total', 'Requests refused for lack of a gateway assertion', [
  'recorded',
]);

function userAgentOf(req: FastifyRequest): string | undefined {
  const ua = req.headers['user-agent'];
  return typeof ua === 'string' ? ua.slice(0, 512) : undefined;
}

export function registerCallerPolicy(app: FastifyInstance, service: string, policy: CallerPolicy) {
  app.decorateRequest('clientIp', '');
  if (policy.kind === 'edge') {
    app.addHook('onRequest', async (req) => {
      req.clientIp = req.ip;
    });
    return;
  }
  const verifier = new GatewayAssertionVerifier({ publicKeyPem: policy.publicKey, audience: service });
  let inFlight = 0;

  const recordDenial = (req: FastifyRequest, reason: string) => {
    const route = req.routeOptions.url ?? 'unmatched';
    // The address is the socket's (the one fact a direct caller cannot forge); the user is the one
    // a genuine access token names (its use outside the gateway is the finding), else anonymous.
    const auth = req.headers.authorization;
    const who = policy.identify?.(typeof auth === 'string' ? auth : undefined);
    const ua = userAgentOf(req);
    const actor = {
      ...(who ?? { userId: 'anonymous', role: 'system' as const }),
      ip: req.ip,
      ...(ua ? { userAgent: ua } : {}),
    };
    req.log.warn(
      { event: 'access.denied', reason, route, method: req.method, ip: req.ip, userId: actor.userId },
      'direct request refused',
    );
    const sink = policy.denied;
    if (!sink) {
      refused.inc({ recorded: 'log' });
      return;
    }
    if (inFlight >= MAX_IN_FLIGHT) {
      refused.inc({ recorded: 'no' });
      return;
    }
    refused.inc({ recorded: 'yes' });
    inFlight++;
    // parseEvent: the one typed way from Envelope<'access.denied'> to the bus's Envelope.
    const event = parseEvent(
      createEvent(
        'access.denied',
        { reason: `direct request refused: ${reason}`.slice(0, 200), method: req.method, route },
        { correlationId: req.id, source: service, actor },
      ),
    );
    sink(event)
      .catch((err: unknown) => req.log.error({ err }, 'access.denied not recorded'))
      .finally(() => {
        inFlight--;
      });
  };

  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.url && OPS_ROUTES.has(req.routeOptions.url)) {
      req.clientIp = req.ip;
      return;
    }
    const auth = req.headers.authorization;
    const result = verifier.check(req.headers[GATEWAY_ASSERTION_HEADER], {
      requestId: req.id,
      method: req.method,
      url: req.url,
      authorization: typeof auth === 'string' ? auth : undefined,
    });
    if (!result.ok) {
      recordDenial(req, result.reason);
      // Same answer whatever the reason: a prober learns nothing about what it got wrong.
      throw new AppError('UNAUTHENTICATED', 'This service accepts requests through the gateway only');
    }
    req.clientIp = result.clientIp;
  });
}

/**
 * The policy of an internal service, from its config: reads and checks the gateway's public
 * assertion key at start (a missing or wrong key stops the service, naming the key).
 */
export function gatewayOnlyCallers(
  config: GatewayAssertionKeyConfig & { JWT_ISSUER: string; JWT_AUDIENCE: string },
  o: { jwtPublicKey: string; denied?: (event: Envelope) => Promise<unknown> },
): CallerPolicy {
  const publicKey = readKeyPem(
    config.GATEWAY_ASSERTION_PUBLIC_KEY,
    config.GATEWAY_ASSERTION_PUBLIC_KEY_FILE,
    'GATEWAY_ASSERTION_PUBLIC_KEY',
    'GATEWAY_ASSERTION_PUBLIC_KEY_FILE',
  );
  new GatewayAssertionVerifier({ publicKeyPem: publicKey, audience: 'check', keyName: 'GATEWAY_ASSERTION_PUBLIC_KEY' });
  const identify = accessTokenSubject({
    publicKeyPem: o.jwtPublicKey,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  return { kind: 'gateway-only', publicKey, denied: o.denied, identify };
}
