/** One internal service as the admin console shows it: up or down, and which of its dependencies are down. */
export interface ServiceHealth {
  name: string;
  status: 'up' | 'down';
  /** Names only (e.g. "redis"), never addresses or error text: what the services' readiness says. */
  down: string[];
  latencyMs: number;
}

/** Asks one readiness URL; answers its status code and JSON body, or throws when unreachable. */
export type ReadinessProbe = (url: string, timeoutMs: number) => Promise<{ status: number; body: unknown }>;

const downNames = (body: unknown): string[] => {
  const d = (body as { down?: unknown } | null)?.down;
  return Array.isArray(d) ? d.filter((x): x is string => typeof x === 'string').slice(0, 20) : [];
};

/**
 * The readiness of every internal service at once (in parallel, each bounded by `timeoutMs`), so
 * an admin sees at a glance which is down. An unreachable service is down with no names.
 */
export async function serviceHealth(
  services: Record<string, string>,
  probe: ReadinessProbe,
  now: () => number = () => performance.now(),
  timeoutMs = 2000,
): Promise<ServiceHealth[]> {
  return Promise.all(
    Object.entries(services).map(async ([name, base]): Promise<ServiceHealth> => {
      const t0 = now();
      try {
        const r = await probe(`${base.replace(/\/+$/, '')}/health/ready`, timeoutMs);
        const latencyMs = Math.round(now() - t0);
        return { name, status: r.status === 200 ? 'up' : 'down', down: downNames(r.body), latencyMs };
      } catch {
        return { name, status: 'down', down: [], latencyMs: Math.round(now() - t0) };
      }
    }),
  );
}
