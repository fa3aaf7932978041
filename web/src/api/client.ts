import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/** The console's session CSRF token: a script-readable cookie set at sign-in (double submit). */
export function csrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === 'mv_csrf' && v) return v;
  }
  return undefined;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
export const withCsrf = (method: string, headers: Headers) => {
  const t = csrfToken();
  if (!SAFE.has(method.toUpperCase()) && t) headers.set('x-csrf-token', t);
};

/** Problem details (RFC 9457) as the API returns them. */
export interface Problem {
  status?: number;
  code?: string;
  title?: string;
  detail?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `Request failed (${status})`);
  }
}

let onUnauthenticated: () => void = () => {};
/** Called when the API says the session is gone (expired, revoked, signed out elsewhere). */
export const setUnauthenticatedHandler = (f: () => void) => {
  onUnauthenticated = f;
};

const session: Middleware = {
  onRequest({ request }) {
    withCsrf(request.method, request.headers);
    return request;
  },
  onResponse({ response, request }) {
    if (response.status === 401 && !new URL(request.url).pathname.startsWith('/v1/auth/')) onUnauthenticated();
    return response;
  },
};

/** Typed client of the gateway's API (same origin; the session cookie authenticates it). */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(session);

/** Unwraps an openapi-fetch result: the data, or an ApiError with the problem details. */
export async function must<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await p;
  if (!response.ok) throw new ApiError(response.status, (error ?? {}) as Problem);
  return data as T;
}
