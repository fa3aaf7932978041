import { randomBytes } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { principalOf } from '@medvault/common/auth';
import { AppError } from '@medvault/common/errors';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import {
  CSRF_COOKIE,
  CSRF_HEADER,
  crossSiteRefusal,
  csrfRefusal,
  isLocalHost,
  parseCookies,
  REFRESH_COOKIE,
  REFRESH_PATH,
  SESSION_COOKIE,
  serializeCookie,
} from '../domain/browser-session.js';
import { contextOf } from './context.js';
import { LoginBody } from './schemas.js';

const headerOf = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

/** The double-submit CSRF check for the session endpoints (they work without a live access cookie). */
function refuseCrossSite(req: FastifyRequest, cookies: Map<string, string>) {
  const refusal = csrfRefusal({
    method: req.method,
    host: req.host,
    origin: headerOf(req, 'origin'),
    secFetchSite: headerOf(req, 'sec-fetch-site'),
    csrfHeader: headerOf(req, CSRF_HEADER),
    csrfCookie: cookies.get(CSRF_COOKIE),
  });
  if (refusal) {
    req.deniedReason = `csrf: ${refusal}`;
    throw new AppError('FORBIDDEN', 'Cross-site request refused (missing or invalid CSRF token)');
  }
}

/**
 * Checked here too (once the access cookie has expired, browser-session.ts sees no session), and
 * at onRequest: before the body is parsed, so a forged form post is refused as such.
 */
const csrfGuard = async (req: FastifyRequest) => refuseCrossSite(req, parseCookies(req.headers.cookie));

const problem = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
};
/** What script learns of a browser session: never a token, only when to refresh it. */
const SessionInfo = Type.Object({
  expiresIn: Type.Integer({ description: 'Seconds until the session cookie must be refreshed' }),
});

/**
 * The web console's sign-in, refresh and sign-out (browser-session.ts authenticates the requests
 * in between). Same credentials, throttling and audit as /v1/auth/login; the tokens go into
 * HttpOnly SameSite=Strict cookies instead of the response body.
 */
export async function sessionRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const c = deps.config;

  const secure = (req: FastifyRequest) => req.protocol === 'https' || !isLocalHost(req.host);
  const setSession = (
    req: FastifyRequest,
    reply: FastifyReply,
    pair: { accessToken: string; refreshToken: string; expiresIn: number },
  ) => {
    const s = secure(req);
    const csrf = randomBytes(24).toString('base64url');
    reply.header('set-cookie', [
      serializeCookie(SESSION_COOKIE, pair.accessToken, { maxAgeSeconds: pair.expiresIn, httpOnly: true, secure: s }),
      serializeCookie(REFRESH_COOKIE, pair.refreshToken, {
        maxAgeSeconds: c.REFRESH_TOKEN_TTL_SECONDS,
        httpOnly: true,
        secure: s,
        path: REFRESH_PATH,
      }),
      // Script-readable on purpose (double submit): it authenticates nothing by itself.
      serializeCookie(CSRF_COOKIE, csrf, { maxAgeSeconds: c.REFRESH_TOKEN_TTL_SECONDS, httpOnly: false, secure: s }),
    ]);
    reply.header('cache-control', 'no-store');
    return { expiresIn: pair.expiresIn };
  };
  const clearSession = (req: FastifyRequest, reply: FastifyReply) => {
    const s = secure(req);
    reply.header('set-cookie', [
      serializeCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, httpOnly: true, secure: s }),
      serializeCookie(REFRESH_COOKIE, '', { maxAgeSeconds: 0, httpOnly: true, secure: s, path: REFRESH_PATH }),
      serializeCookie(CSRF_COOKIE, '', { maxAgeSeconds: 0, httpOnly: false, secure: s }),
    ]);
  };

  r.post(
    '/v1/auth/session',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign in a browser: the session goes into HttpOnly SameSite=Strict cookies (web console)',
        body: LoginBody,
        response: { 200: SessionInfo, 400: problem, 401: problem, 403: problem, 429: problem },
        security: [],
      },
    },
    async (req, reply) => {
      // No CSRF token exists before sign-in: the browser's own cross-site signals must be clean.
      const refusal = crossSiteRefusal({
        host: req.host,
        origin: headerOf(req, 'origin'),
        secFetchSite: headerOf(req, 'sec-fetch-site'),
      });
      if (refusal) {
        req.deniedReason = `csrf: ${refusal}`;
        throw new AppError('FORBIDDEN', 'Cross-site sign-in refused');
      }
      const { user, ...pair } = await deps.auth.login(req.body, contextOf(req));
      req.auditActor = { userId: user.id, role: user.role };
      return setSession(req, reply, pair);
    },
  );

  r.post(
    `${REFRESH_PATH}/refresh`,
    {
      config: { public: true },
      onRequest: async (req) => csrfGuard(req),
      schema: {
        tags: ['auth'],
        summary: 'Rotate the browser session (refresh cookie, single use); CSRF header required',
        response: { 200: SessionInfo, 401: problem, 403: problem },
        security: [],
      },
    },
    async (req, reply) => {
      const cookies = parseCookies(req.headers.cookie);
      const refreshToken = cookies.get(REFRESH_COOKIE);
      if (!refreshToken) throw new AppError('UNAUTHENTICATED', 'No browser session');
      const pair = await deps.auth.refresh(refreshToken, contextOf(req));
      return setSession(req, reply, pair);
    },
  );

  r.post(
    `${REFRESH_PATH}/logout`,
    {
      config: { public: true },
      onRequest: async (req) => csrfGuard(req),
      schema: {
        tags: ['auth'],
        summary: 'Sign the browser out: revokes the session and clears its cookies',
        response: { 204: Type.Null(), 403: problem },
        security: [],
      },
    },
    async (req, reply) => {
      // Signing out must work with an expired access cookie too: revoke when there is a live one.
      if (req.viaSessionCookie) {
        try {
          await app.authenticate(req);
          await deps.auth.logout(principalOf(req), contextOf(req));
        } catch (err) {
          if (!(err instanceof AppError) || err.status >= 500) throw err;
        }
      }
      clearSession(req, reply);
      return reply.status(204).send(null);
    },
  );
}
