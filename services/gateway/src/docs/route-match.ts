import { publicRoutes } from './routes.js';

const compiled = publicRoutes.map((r) => ({
  method: r.method,
  pattern: r.pattern,
  names: [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
  re: new RegExp(`^${r.path.replace(/\{\w+\}/g, '([^/]+)')}$`),
}));

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v; // a malformed escape is the upstream's 400 to give, not an audit failure
  }
}

/** The documented pattern and params of a proxied request (`/v1/files/:id`), for the access audit. */
export function matchPublicRoute(
  method: string,
  path: string,
): { pattern: string; params: Record<string, string> } | undefined {
  for (const c of compiled) {
    if (c.method !== method) continue;
    const m = c.re.exec(path);
    if (m) return { pattern: c.pattern, params: Object.fromEntries(c.names.map((n, i) => [n, safeDecode(m[i + 1]!)])) };
  }
  return undefined;
}
