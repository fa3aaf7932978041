import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { principalOf } from '@medvault/common/auth';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import { SERVICE_NAME_PATTERN } from '../domain/dead-letters.js';
import { contextOf } from './context.js';

const problem = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
};

const RedriveTask = Type.Object({
  status: Type.String({
    description: 'SQS message move task status: RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED',
  }),
  running: Type.Boolean({ description: 'still moving messages (one move task per queue at a time)' }),
  moved: Type.Integer({ minimum: 0 }),
  toMove: Type.Integer({ minimum: 0, description: 'messages waiting when the task started' }),
  startedAt: Type.Optional(Type.String({ format: 'date-time' })),
  failureReason: Type.Optional(Type.String()),
});

export const DeadLetterList = Type.Object({
  checkedAt: Type.String({ format: 'date-time' }),
  items: Type.Array(
    Type.Object({
      service: Type.String(),
      queue: Type.String({ description: 'the dead-letter queue, medvault-<service>-dlq' }),
      exists: Type.Boolean({ description: 'false when the queue is not provisioned (counts are then 0)' }),
      waiting: Type.Integer({ minimum: 0, description: 'messages waiting (ApproximateNumberOfMessages)' }),
      inFlight: Type.Integer({ minimum: 0, description: 'messages being received or moved (NotVisible)' }),
      lastRedrive: Type.Optional(RedriveTask),
    }),
  ),
});

const RedriveParams = Type.Object({ service: Type.String({ pattern: SERVICE_NAME_PATTERN }) });
const RedriveBody = Type.Object(
  {
    rate: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 500, description: 'at most this many messages a second (SQS default: 500)' }),
    ),
  },
  { additionalProperties: false },
);
export const RedriveStarted = Type.Object({ service: Type.String(), queue: Type.String(), task: RedriveTask });

/**
 * The services' dead-letter queues for admins: counts and the newest redrive (never a message),
 * and a redrive back to the service's queue (SQS StartMessageMoveTask), audited. The use cases
 * (app/) check the role; a browser session's POST passes the CSRF check first (browser-session.ts).
 */
export async function deadLetterRoutes(app: FastifyInstance, { deps }: { deps: Deps }) {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.addHook('onRequest', app.authenticate);
  r.get(
    '/v1/admin/dead-letters',
    {
      schema: {
        tags: ['admin'],
        summary: "Each service's dead-letter queue: waiting messages and the newest redrive (admin)",
        response: { 200: DeadLetterList, 401: problem, 403: problem, 503: problem },
      },
    },
    async (req) => ({
      checkedAt: new Date().toISOString(),
      items: await deps.deadLetters.list(principalOf(req)),
    }),
  );
  r.post(
    '/v1/admin/dead-letters/:service/redrive',
    {
      // The body is optional: no body means SQS's own pace.
      preValidation: async (req) => {
        req.body ??= {};
      },
      schema: {
        tags: ['admin'],
        summary: "Move a service's dead letters back to its queue (admin, audited)",
        params: RedriveParams,
        body: RedriveBody,
        response: {
          202: RedriveStarted,
          400: problem,
          401: problem,
          403: problem,
          404: problem,
          409: problem,
          503: problem,
        },
      },
    },
    async (req, reply) => {
      const { rate } = req.body;
      const started = await deps.deadLetters.redrive(
        principalOf(req),
        req.params.service,
        rate ? { maxPerSecond: rate } : {},
        contextOf(req),
      );
      return reply.status(202).send(started);
    },
  );
}
