import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorCode } from '../errors/index.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  requestId: string;
  errors?: { field: string; message: string }[];
  [k: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export interface ProblemInput {
  status: number;
  code: string;
  detail?: string;
  errors?: { field: string; message: string }[];
  [k: string]: unknown;
}

export function sendProblem(reply: FastifyReply, req: FastifyRequest, p: ProblemInput) {
  const body: Problem = {
    type: `https://medvault.dev/problems/${p.code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[p.status] ?? 'Error',
    requestId: req.id,
    instance: req.url.split('?')[0],
    ...p,
  };
  return reply.status(p.status).type('application/problem+json').send(body);
}

function fieldOf(e: { instancePath?: string; params?: Record<string, unknown> }, context?: string) {
  const path = (e.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const extra = (e.params?.missingProperty ?? e.params?.additionalProperty) as string | undefined;
  const field = [path, extra].filter(Boolean).join('.');
  return field || context || 'body';
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_REQ_FILE_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_PARTS_LIMIT: 'PAYLOAD_TOO_LARGE',
  FST_FILES_LIMIT: 'BAD_REQUEST',
  FST_FIELDS_LIMIT: 'BAD_REQUEST',
  FST_PROTO_VIOLATION: 'BAD_REQUEST',
  FAST_JWT_EXPIRED: 'TOKEN_EXPIRED',
};

/**
 * Which dependency an unexpected error comes from, when it is an outage rather than a bug:
 * such failures are 503 (retryable, dependency named), never 500.
 */
export function outageOf(err: unknown): string | undefined {
  const e = err as { name?: string; code?: string; message?: string; $metadata?: unknown };
  const name = e?.name ?? '';
  if (/^Mongo(ServerSelection|Network|NetworkTimeout|NotConnected|TopologyClosed|PoolClosed)Error$/.test(name))
    return 'mongo';
  if (name === 'MaxRetriesPerRequestError' || (e?.message ?? '').startsWith('Connection is closed')) return 'redis';
  if (e?.$metadata !== undefined || name === 'TimeoutError') {
    if (name === 'TimeoutError' || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(e?.code ?? ''))
      return 'aws';
  }
  return undefined;
}

/**
 * One error handler: AppErrors keep their code and status; schema failures become 400 with
 * every bad field named; anything unexpected is a 500 whose details stay in the log only.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (AppError.is(err)) {
      if (err.status >= 500) req.log.error({ err }, 'request failed');
      for (const [k, v] of Object.entries(err.headers ?? {})) reply.header(k, v);
      const exposeDetails = err.status < 500 || err.code === 'DEPENDENCY_UNAVAILABLE';
      return sendProblem(reply, req, {
        // Details first: a detail named like a problem member (e.g. `status`) must not replace it.
        ...(exposeDetails && err.details ? err.details : {}),
        status: err.status,
        code: err.code,
        detail: err.status >= 500 && err.code === 'INTERNAL' ? 'An unexpected error occurred' : err.message,
      });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const errors = fe.validation.map((v) => ({
        field: fieldOf(v, fe.validationContext),
        message: v.message ?? 'invalid',
      }));
      return sendProblem(reply, req, {
        status: 400,
        code: 'VALIDATION_FAILED',
        detail: `Invalid ${fe.validationContext ?? 'request'}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
        errors,
      });
    }
    const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
    if (mapped || (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500)) {
      const status = mapped === 'TOKEN_EXPIRED' ? 401 : (fe.statusCode ?? 400);
      return sendProblem(reply, req, { status, code: mapped ?? 'BAD_REQUEST', detail: fe.message });
    }
    const dependency = outageOf(err);
    if (dependency) {
      req.log.warn({ err, dependency }, 'dependency unavailable');
      return sendProblem(reply, req, {
        status: 503,
        code: 'DEPENDENCY_UNAVAILABLE',
        detail: `${dependency} is unavailable`,
        dependency,
      });
    }
    if ((fe as { code?: string }).code === 'ECONNRESET' && req.raw.destroyed) {
      req.log.warn('client closed the connection mid-request');
      return reply;
    }
    req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, req, { status: 500, code: 'INTERNAL', detail: 'An unexpected error occurred' });
  });

  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, req, {
      status: 404,
      code: 'NOT_FOUND',
      detail: `No route ${req.method} ${req.url.split('?')[0]}`,
    }),
  );
}
