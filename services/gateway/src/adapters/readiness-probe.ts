import type { ReadinessProbe } from '../app/service-health.js';

/** GET with a deadline; the body is read as JSON when it is JSON (readiness answers are small). */
export const fetchReadiness: ReadinessProbe = async (url, timeoutMs) => {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  const body: unknown = (r.headers.get('content-type') ?? '').includes('json')
    ? await r.json().catch(() => null)
    : null;
  return { status: r.status, body };
};
