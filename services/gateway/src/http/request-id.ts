import type { IncomingMessage } from 'node:http';
import { newId } from '@medvault/common/ids';
import type { FastifyServerOptions } from 'fastify';

/**
 * Request ids at the edge (pentest finding 17). The gateway mints its own id for every request:
 * it is the request id of logs, problem answers, events and audit records, and the
 * `x-request-id` sent to the internal services (which trust it because only the gateway reaches
 * them). A client's `x-request-id` could be forged to collide with or impersonate another
 * record, so it is kept only as a correlation hint (`clientRequestId` in logs and in
 * request.completed), and only when short and plain; otherwise it is dropped.
 */
const CLIENT_HINT = /^[A-Za-z0-9._:-]{1,64}$/;

export function clientRequestIdOf(raw: Pick<IncomingMessage, 'headers'>): string | undefined {
  const h = raw.headers['x-request-id'];
  return typeof h === 'string' && CLIENT_HINT.test(h) ? h : undefined;
}

const childLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (logger, bindings, opts, raw) => {
  const hint = clientRequestIdOf(raw);
  return logger.child(hint ? { ...bindings, clientRequestId: hint } : bindings, opts);
};

/** Fastify options of the gateway's edge: own ids, the client's hint bound to every log line. */
export const edgeRequestIds = {
  genReqId: () => newId('request'),
  childLoggerFactory,
} satisfies Partial<FastifyServerOptions>;
