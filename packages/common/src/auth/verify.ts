import fastifyJwt, { type JwtVerifyFunction } from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors/index.js';
import { type AccessTokenClaims, type Principal, ROLES, type Role } from './principal.js';
import type { RevocationChecker } from './revocation.js';
import type { VerifiedTokenCache } from './token-cache.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** Added by @fastify/jwt under the `access` namespace (below). */
    accessJwtVerify: JwtVerifyFunction;
  }
  interface FastifyInstance {
    /** preHandler: 401 unless the request carries a valid, unrevoked access token. */
    authenticate: (req: FastifyRequest) => Promise<void>;
  }
}

export interface TokenVerifierOptions {
  /** PEM (SPKI) public key of the gateway's signing key: services can verify, never mint. */
  publicKey: string;
  issuer: string;
  audience: string;
  revocation: RevocationChecker;
  /**
   * Reuses a token's verification until a revocation is pushed or the token expires (the edge,
   * where every request would otherwise pay a signature check and a Redis read; see token-cache.ts).
   */
  cache?: VerifiedTokenCache;
}

export const ACCESS_TOKEN_ALGORITHM = 'EdDSA';

async function plugin(app: FastifyInstance, opts: TokenVerifierOptions) {
  // Namespaced so the gateway can register its own signer (with the private key) beside it.
  await app.register(fastifyJwt, {
    secret: { public: opts.publicKey, private: 'verify-only' },
    namespace: 'access',
    verify: {
      algorithms: [ACCESS_TOKEN_ALGORITHM],
      allowedIss: opts.issuer,
      allowedAud: opts.audience,
      requiredClaims: ['sub', 'jti', 'exp', 'iat', 'iss', 'aud'],
    },
  });
  app.decorateRequest('principal', null);

  app.decorate('authenticate', async (req: FastifyRequest) => {
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) throw new AppError('UNAUTHENTICATED', 'Missing bearer token');
    const cache = opts.cache;
    const token = header.slice(7);
    const known = cache?.get(token);
    if (known) {
      req.principal = known;
      return;
    }
    // Taken before the checks: a revocation pushed while they run makes their answer not cacheable.
    const epoch = cache?.epoch ?? 0;
    let claims: AccessTokenClaims;
    try {
      claims = await req.accessJwtVerify<AccessTokenClaims>();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED') throw new AppError('TOKEN_EXPIRED', 'Access token expired');
      throw new AppError('TOKEN_INVALID', 'Access token is invalid');
    }
    if (claims.typ !== 'access' || !ROLES.includes(claims.role as Role)) {
      throw new AppError('TOKEN_INVALID', 'Access token is invalid');
    }
    const principal: Principal = {
      userId: claims.sub,
      role: claims.role,
      jti: claims.jti,
      iat: claims.iat,
      exp: claims.exp,
      ...(claims.sid ? { sessionId: claims.sid } : {}),
    };
    let revoked: boolean;
    try {
      revoked = await opts.revocation.isRevoked({ ...principal });
    } catch (cause) {
      // Fail closed: without the revocation list a logged-out token could still pass.
      throw new AppError('DEPENDENCY_UNAVAILABLE', 'Cannot check token revocation', {
        cause,
        details: { dependency: 'redis' },
      });
    }
    if (revoked) throw new AppError('TOKEN_REVOKED', 'Access token has been revoked');
    cache?.set(token, principal, epoch);
    req.principal = principal;
  });
}

export const tokenVerifier = fp(plugin, { name: 'medvault-token-verifier' });

/** The principal of an authenticated request (after `app.authenticate`). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new AppError('UNAUTHENTICATED', 'Authentication required');
  return req.principal;
}

/** preHandler factory: 403 unless the caller has one of the roles. */
export function requireRole(...roles: Role[]) {
  return async (req: FastifyRequest) => {
    const p = principalOf(req);
    if (!roles.includes(p.role)) throw new AppError('FORBIDDEN', 'Your role may not do this');
  };
}
