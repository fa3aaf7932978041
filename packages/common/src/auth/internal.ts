import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import { ROLES, type Role } from './principal.js';

/**
 * The gateway's assertion on every request it proxies to an internal service.
 *
 * Why: an end-user access token proves who the user is, not that the request came through the
 * gateway (rate limits, body limits, access audit, client IP). Without a second credential any
 * process that can reach an internal port can replay a user's token there directly and pick its
 * own X-Forwarded-For (pentest finding 12: actor IP 6.6.6.6 in the audit log, no access.denied).
 *
 * Why a signed assertion and not mutual TLS: one EdDSA key pair (the same library and algorithm
 * as access tokens, a separate key so neither can stand in for the other) needs no CA, no
 * certificate rotation per service and works the same on the host stack, in docker-compose and
 * behind any network. Only the gateway holds the private key; a compromised internal service
 * holds the public key only and cannot mint assertions for its peers (unlike a shared HMAC secret).
 *
 * What it binds, so that a captured assertion is worth little:
 * - aud: the target service (not usable on another service),
 * - rid / htm / htu: the request id, method and target (path + query) of this one request,
 * - tkh: SHA-256 of the Authorization header forwarded with it (not usable with another token),
 * - ip: the client address as the gateway saw it (the only client IP internal services trust),
 * - iat / exp: a short lifetime (60 s by default).
 */
export const GATEWAY_ASSERTION_HEADER = 'x-medvault-gateway-assertion';
export const GATEWAY_ASSERTION_ISSUER = 'medvault-gateway';
/** Distinct from access tokens (typ "access"): one is never accepted as the other. */
export const GATEWAY_ASSERTION_TYP = 'gateway-assertion';
/** Longest lifetime an internal service accepts, whatever the gateway was configured with. */
export const GATEWAY_ASSERTION_MAX_TTL_SECONDS = 300;
const CLOCK_TOLERANCE_MS = 5_000;

export interface AssertedRequest {
  /** The internal service the request is for (its SERVICE name). */
  audience: string;
  requestId: string;
  method: string;
  /** Path and query as sent upstream. */
  url: string;
  /** The Authorization header forwarded with the request, if any. */
  authorization?: string | undefined;
}

interface AssertionClaims {
  iss: string;
  aud: string;
  typ: string;
  rid: string;
  htm: string;
  htu: string;
  tkh?: string;
  ip: string;
  iat: number;
  exp: number;
}

/** SHA-256 of the Authorization header (base64url): binds the assertion to one user's token. */
export function authorizationHash(authorization: string): string {
  return createHash('sha256').update(authorization).digest('base64url');
}

/**
 * The request target as an upstream receives it. The gateway's proxy resolves the path with the
 * WHATWG URL parser (dot segments, percent-encoding), so both sides compare that normal form.
 */
export function requestTarget(url: string): string | undefined {
  try {
    const u = new URL(url, 'http://internal.invalid');
    return `${u.pathname}${u.search}`;
  } catch {
    return undefined;
  }
}

/** Checks the PEM is an Ed25519 key of the expected kind; names the config key when it is not. */
function ed25519(pem: string, kind: 'private' | 'public', what: string): string {
  try {
    const key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
    if (key.asymmetricKeyType === 'ed25519') return pem;
  } catch {
    // reported below
  }
  throw new Error(`Invalid configuration: ${what} is not an Ed25519 ${kind} key (PEM)`);
}

export interface GatewayAssertionSignerOptions {
  privateKeyPem: string;
  ttlSeconds: number;
  /** Names the config key in start-up errors. */
  keyName?: string;
  /** Fixed clock (ms since epoch), for tests minting expired assertions. */
  nowMs?: number;
}

/** Held by the gateway only: mints one assertion per proxied request. */
export class GatewayAssertionSigner {
  private readonly sign: (payload: Record<string, unknown>) => string;

  constructor(o: GatewayAssertionSignerOptions) {
    const key = ed25519(o.privateKeyPem, 'private', o.keyName ?? 'the gateway assertion key');
    this.sign = createSigner({
      key,
      algorithm: 'EdDSA',
      iss: GATEWAY_ASSERTION_ISSUER,
      expiresIn: o.ttlSeconds * 1000,
      ...(o.nowMs === undefined ? {} : { clockTimestamp: o.nowMs }),
    });
  }

  assert(r: AssertedRequest & { clientIp: string }): string {
    return this.sign({
      aud: r.audience,
      typ: GATEWAY_ASSERTION_TYP,
      rid: r.requestId,
      htm: r.method,
      htu: requestTarget(r.url) ?? r.url,
      ...(r.authorization ? { tkh: authorizationHash(r.authorization) } : {}),
      ip: r.clientIp,
    });
  }
}

export type AssertionCheck = { ok: true; clientIp: string } | { ok: false; reason: string };

/** Held by every internal service: accepts only assertions the gateway minted for this request. */
export class GatewayAssertionVerifier {
  private readonly verify: (token: string) => AssertionClaims;

  constructor(o: { publicKeyPem: string; audience: string; keyName?: string }) {
    const key = ed25519(o.publicKeyPem, 'public', o.keyName ?? 'the gateway assertion public key');
    this.verify = createVerifier({
      key,
      algorithms: ['EdDSA'],
      allowedIss: GATEWAY_ASSERTION_ISSUER,
      allowedAud: o.audience,
      requiredClaims: ['iss', 'aud', 'typ', 'rid', 'htm', 'htu', 'ip', 'iat', 'exp'],
      maxAge: GATEWAY_ASSERTION_MAX_TTL_SECONDS * 1000,
      clockTolerance: CLOCK_TOLERANCE_MS,
      cache: false,
    });
  }

  /** The reasons are for the denial trail (logs, access.denied), never echoed to the caller. */
  check(header: string | string[] | undefined, r: Omit<AssertedRequest, 'audience'>): AssertionCheck {
    if (typeof header !== 'string' || header.length === 0) return { ok: false, reason: 'no gateway assertion' };
    let c: AssertionClaims;
    try {
      c = this.verify(header);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'invalid';
      return { ok: false, reason: `gateway assertion rejected (${code})` };
    }
    if (c.typ !== GATEWAY_ASSERTION_TYP) return { ok: false, reason: 'not a gateway assertion' };
    if (c.exp - c.iat > GATEWAY_ASSERTION_MAX_TTL_SECONDS)
      return { ok: false, reason: 'gateway assertion too long-lived' };
    if (c.rid !== r.requestId) return { ok: false, reason: 'gateway assertion for another request id' };
    if (c.htm !== r.method || c.htu !== requestTarget(r.url))
      return { ok: false, reason: 'gateway assertion for another method or path' };
    const tkh = r.authorization ? authorizationHash(r.authorization) : undefined;
    if (c.tkh !== tkh) return { ok: false, reason: 'gateway assertion for another token' };
    if (typeof c.ip !== 'string' || c.ip.length === 0 || c.ip.length > 64)
      return { ok: false, reason: 'gateway assertion without a client address' };
    return { ok: true, clientIp: c.ip };
  }
}

/**
 * Who a refused direct request's bearer token names, if the token is genuine (signature, issuer,
 * audience, expiry): a direct hit with a real user's token means that token left the gateway's
 * clients (leak, insider), which is what the denial trail must say. Never used to authorize.
 */
export function accessTokenSubject(o: {
  publicKeyPem: string;
  issuer: string;
  audience: string;
}): (authorization: string | undefined) => { userId: string; role: Role } | undefined {
  const verify = createVerifier({
    key: o.publicKeyPem,
    algorithms: ['EdDSA'],
    allowedIss: o.issuer,
    allowedAud: o.audience,
    requiredClaims: ['sub', 'role', 'exp'],
    cache: false,
  });
  return (authorization) => {
    if (!authorization?.startsWith('Bearer ')) return undefined;
    try {
      const c = verify(authorization.slice(7)) as { sub?: unknown; role?: unknown; typ?: unknown };
      const role = ROLES.find((r) => r === c.role);
      return typeof c.sub === 'string' && role && c.typ === 'access' ? { userId: c.sub, role } : undefined;
    } catch {
      return undefined;
    }
  };
}
