import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { principalOf } from '@medvault/common/auth';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { toPublicUser } from '../domain/users.js';
import { contextOf } from './context.js';
import { CreateUserBody, ListUsersQuery, Me, UpdateUserBody, User, UserPage, UserParams } from './schemas.js';

/** Error answers are application/problem+json (documented and serialised with the shared schema). */
const problem = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
};
const errors = { 400: problem, 401: problem, 403: problem };

/** User administration (admin only, enforced by the use cases in app/) and GET /v1/me. */
export async function userRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.addHook('onRequest', app.authenticate);

  r.get(
    '/v1/me',
    { schema: { tags: ['users'], summary: 'The caller: id, email, role', response: { 200: Me, 401: problem } } },
    async (req) => {
      const p = principalOf(req);
      const u = await deps.users.get(p, p.userId);
      return { id: u.id, email: u.email, name: u.name, role: u.role, active: u.active };
    },
  );

  r.post(
    '/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user (admin)',
        body: CreateUserBody,
        response: { 201: User, 409: problem, ...errors },
      },
    },
    async (req, reply) => {
      const u = await deps.users.create(principalOf(req), req.body, contextOf(req));
      return reply.status(201).send(toPublicUser(u));
    },
  );

  r.get(
    '/v1/users',
    {
      schema: {
        tags: ['users'],
        summary: 'List users, oldest first, cursor-paginated (admin)',
        querystring: ListUsersQuery,
        response: { 200: UserPage, ...errors },
      },
    },
    async (req) => {
      const { cursor, limit, role, active } = req.query;
      const page = await deps.users.list(principalOf(req), {
        limit,
        ...(cursor ? { after: cursor } : {}),
        ...(role ? { role } : {}),
        ...(active !== undefined ? { active } : {}),
      });
      return { items: page.items.map(toPublicUser), nextCursor: page.nextCursor };
    },
  );

  r.get(
    '/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'One user (admin, or the user themself)',
        params: UserParams,
        response: { 200: User, 404: problem, ...errors },
      },
    },
    async (req) => toPublicUser(await deps.users.get(principalOf(req), req.params.id)),
  );

  r.patch(
    '/v1/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: "Change role, active flag or name (admin); role/active changes revoke the user's tokens",
        params: UserParams,
        body: UpdateUserBody,
        response: { 200: User, 404: problem, 409: problem, ...errors },
      },
    },
    async (req) => toPublicUser(await deps.users.update(principalOf(req), req.params.id, req.body, contextOf(req))),
  );
}
