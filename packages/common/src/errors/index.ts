/**
 * One error type for the whole platform. `code` is stable (clients switch on it), `status`
 * is the HTTP status it maps to, `retryable` tells consumers whether a redelivery may succeed.
 */
export const ErrorCodes = {
  BAD_REQUEST: { status: 400, retryable: false },
  VALIDATION_FAILED: { status: 400, retryable: false },
  /** A multipart body that cannot be parsed: no boundary, or ended before its closing boundary. */
  MALFORMED_MULTIPART: { status: 400, retryable: false },
  UNAUTHENTICATED: { status: 401, retryable: false },
  TOKEN_INVALID: { status: 401, retryable: false },
  TOKEN_EXPIRED: { status: 401, retryable: false },
  TOKEN_REVOKED: { status: 401, retryable: false },
  FORBIDDEN: { status: 403, retryable: false },
  LINK_INVALID: { status: 403, retryable: false },
  NOT_FOUND: { status: 404, retryable: false },
  /** The client stopped sending a request body it had announced. */
  REQUEST_TIMEOUT: { status: 408, retryable: true },
  CONFLICT: { status: 409, retryable: false },
  SLOT_TAKEN: { status: 409, retryable: false },
  GONE: { status: 410, retryable: false },
  LINK_EXPIRED: { status: 410, retryable: false },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false },
  RANGE_NOT_SATISFIABLE: { status: 416, retryable: false },
  UNPROCESSABLE: { status: 422, retryable: false },
  /** A chat message the moderation policy refuses (nothing stored or delivered). */
  MESSAGE_REJECTED: { status: 422, retryable: false },
  FILE_NOT_AVAILABLE: { status: 409, retryable: false },
  RATE_LIMITED: { status: 429, retryable: true },
  /** The caller already holds the most concurrent event streams allowed (close one first). */
  TOO_MANY_STREAMS: { status: 429, retryable: true },
  INTERNAL: { status: 500, retryable: true },
  INTEGRITY_FAILED: { status: 500, retryable: false },
  UPSTREAM_FAILED: { status: 502, retryable: true },
  DEPENDENCY_UNAVAILABLE: { status: 503, retryable: true },
  UPSTREAM_TIMEOUT: { status: 504, retryable: true },
  // Messaging: an event whose envelope or data does not match its schema never will.
  POISON_MESSAGE: { status: 500, retryable: false },
} as const satisfies Record<string, { status: number; retryable: boolean }>;

export type ErrorCode = keyof typeof ErrorCodes;

export interface AppErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
  retryable?: boolean;
  headers?: Record<string, string>;
}

export class AppError extends Error {
  readonly status: number;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    opts: AppErrorOptions = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.status = ErrorCodes[code].status;
    this.retryable = opts.retryable ?? ErrorCodes[code].retryable;
    this.details = opts.details;
    this.headers = opts.headers;
  }

  static is(e: unknown): e is AppError {
    return e instanceof AppError;
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new AppError('BAD_REQUEST', message, { details });
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const forbidden = (message = 'You are not allowed to do this') => new AppError('FORBIDDEN', message);
export const unauthenticated = (message = 'Authentication required') => new AppError('UNAUTHENTICATED', message);
export const conflict = (message: string, details?: Record<string, unknown>) =>
  new AppError('CONFLICT', message, { details });
export const dependencyUnavailable = (dep: string, cause?: unknown) =>
  new AppError('DEPENDENCY_UNAVAILABLE', `${dep} is unavailable`, { cause, details: { dependency: dep } });
