import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { principalOf } from '@medvault/common/auth';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { contextOf } from './context.js';
import { LoginBody, RefreshBody, TokenPair } from './schemas.js';

/** Error answers are application/problem+json (documented and serialised with the shared schema). */
const problem = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
};

/** POST /v1/auth/login | refresh | logout. Login and refresh are the only public API routes. */
export async function authRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/v1/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Exchange email and password for an access/refresh token pair',
        body: LoginBody,
        response: { 200: TokenPair, 400: problem, 401: problem, 429: problem },
        security: [],
      },
    },
    async (req) => {
      const { user, ...pair } = await deps.auth.login(req.body, contextOf(req));
      req.auditActor = { userId: user.id, role: user.role };
      return pair;
    },
  );

  r.post(
    '/v1/auth/refresh',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Rotate a refresh token (single use; reuse revokes the whole session)',
        body: RefreshBody,
        response: { 200: TokenPair, 400: problem, 401: problem },
        security: [],
      },
    },
    async (req) => deps.auth.refresh(req.body.refreshToken, contextOf(req)),
  );

  r.post(
    '/v1/auth/logout',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['auth'],
        summary: 'Revoke the access token and its refresh family at once',
        response: { 204: Type.Null(), 401: problem },
      },
    },
    async (req, reply) => {
      await deps.auth.logout(principalOf(req), contextOf(req));
      return reply.status(204).send(null);
    },
  );
}
