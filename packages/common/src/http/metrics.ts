import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One registry per process. Metric constructors are memoised by name so building several
 * apps in one process (tests) never registers a metric twice.
 */
export const registry = new Registry();
let defaultsCollected = false;
const made = new Map<string, Counter | Gauge | Histogram>();

export function collectProcessMetrics(service: string): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
}

export function counter<L extends string>(name: string, help: string, labelNames: L[] = []): Counter<L> {
  const m = made.get(name) ?? new Counter({ name, help, labelNames, registers: [registry] });
  made.set(name, m);
  return m as Counter<L>;
}

export function gauge<L extends string>(name: string, help: string, labelNames: L[] = []): Gauge<L> {
  const m = made.get(name) ?? new Gauge({ name, help, labelNames, registers: [registry] });
  made.set(name, m);
  return m as Gauge<L>;
}

export function histogram<L extends string>(
  name: string,
  help: string,
  labelNames: L[] = [],
  buckets?: number[],
): Histogram<L> {
  const m =
    made.get(name) ?? new Histogram({ name, help, labelNames, registers: [registry], ...(buckets ? { buckets } : {}) });
  made.set(name, m);
  return m as Histogram<L>;
}
