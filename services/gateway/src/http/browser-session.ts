import { AppError } from '@medvault/common/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { CSRF_COOKIE, CSRF_HEADER, csrfRefusal, parseCookies, SESSION_COOKIE } from '../domain/browser-session.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request authenticated with the console's session cookie (not a bearer header). */
    viaSessionCookie?: boolean;
  }
}

const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

/**
 * Browser sessions (CONTRACT): a request without an Authorization header but with the console's
 * session cookie is authenticated by the access token in that cookie, exactly as if it had been
 * sent as a bearer token (same verification, revocation, RBAC and upstream assertion). State-
 * changing requests made that way must pass the CSRF check first; bearer requests are unchanged
 * (a cross-site page cannot make a browser attach an Authorization header).
 * Registered right after the token verifier, before anything that reads the Authorization header.
 */
async function browserSession(app: FastifyInstance) {
  app.addHook('onRequest', async (req) => {
    if (req.headers.authorization !== undefined) return;
    const cookies = parseCookies(req.headers.cookie);
    const token = cookies.get(SESSION_COOKIE);
    if (!token) return;
    const refusal = csrfRefusal({
      method: req.method,
      host: req.host,
      origin: header(req, 'origin'),
      secFetchSite: header(req, 'sec-fetch-site'),
      csrfHeader: header(req, CSRF_HEADER),
      csrfCookie: cookies.get(CSRF_COOKIE),
    });
    if (refusal) {
      req.deniedReason = `csrf: ${refusal}`;
      throw new AppError('FORBIDDEN', 'Cross-site request refused (missing or invalid CSRF token)');
    }
    req.headers.authorization = `Bearer ${token}`;
    req.viaSessionCookie = true;
  });
}

export const browserSessionPlugin = fp(browserSession, { name: 'gateway-browser-session' });
