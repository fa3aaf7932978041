/** JSON answers of a fake API, by "METHOD /path" (query string ignored); anything else is a 404. */
export type Routes = Record<string, (body: unknown, url: URL) => { status?: number; json?: unknown }>;
export interface Call {
  method: string;
  url: URL;
  body: unknown;
}

const ORIGIN = 'http://console.test';

/**
 * Replaces fetch with a fake API for component tests. openapi-fetch takes the global fetch when
 * the client module loads, so call this from vi.hoisted, before the page is imported. The
 * console's client asks for same-origin paths ("/v1/me"), which Node's Request cannot parse
 * alone: they are resolved against a fixed origin.
 */
export function installFakeApi() {
  const state = { routes: {} as Routes, calls: [] as Call[] };
  const Base = globalThis.Request;
  globalThis.Request = class extends Base {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === 'string' && input.startsWith('/') ? `${ORIGIN}${input}` : input, init);
    }
  };
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const url = new URL(req.url, ORIGIN);
    const text = req.method === 'GET' ? '' : await req.text();
    const body = text ? JSON.parse(text) : undefined;
    state.calls.push({ method: req.method, url, body });
    const r = state.routes[`${req.method} ${url.pathname}`]?.(body, url) ?? {
      status: 404,
      json: { title: 'Not found' },
    };
    return new Response(r.status === 204 ? null : JSON.stringify(r.json ?? {}), {
      status: r.status ?? 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return state;
}
