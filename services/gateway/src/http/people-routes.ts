import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { principalOf } from '@medvault/common/auth';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { PeopleList, PeopleQuery } from './schemas.js';

const problem = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
};

/**
 * GET /v1/people: the people picker of the web console (share, book, message), so nobody types a
 * user id. Like every gateway request it leaves a request.completed access record; a refusal
 * also an access.denied (http/access-audit.ts). The rules are the use case's (app/list-people.ts).
 */
export async function peopleRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.addHook('onRequest', app.authenticate);

  r.get(
    '/v1/people',
    {
      schema: {
        tags: ['users'],
        summary: 'People the caller may address, by name (patients and clinicians)',
        description:
          'A patient: the clinicians who have them in care (`inCare`) and every other active clinician (booking and ' +
          'sharing are open to any). A clinician: their patients in care and their active colleagues. Id, display ' +
          'name and role only; deactivated users never appear; sorted by name. Admins and compliance get 403 ' +
          '(admins list users at /v1/users). The clinician directory part lists at most 1000 clinicians.',
        querystring: PeopleQuery,
        response: { 200: PeopleList, 400: problem, 401: problem, 403: problem },
      },
    },
    async (req) => ({ items: await deps.people.list(principalOf(req), req.query) }),
  );
}
