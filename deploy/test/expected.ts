// The service graph the NetworkPolicies must allow, derived from the sources of truth rather than
// from the chart: infra/topology.json (the services, their queues and AWS identities) and each
// service's validated configuration (services/<name>/src/config.ts: which dependencies it reads,
// and which internal services the gateway routes to through its *_URL settings).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './render.js';

interface Topology {
  users: Record<string, { policy: string; queue?: string }>;
}

export const topology: Topology = JSON.parse(readFileSync(join(root, 'infra/topology.json'), 'utf8'));

/** The deployed services: every IAM identity of the topology except the local provisioner. */
export const services = Object.keys(topology.users)
  .filter((u) => u !== 'provisioner')
  .sort();

/** Queue workers, scaled on queue depth (issue 19); the other services serve HTTP and scale on CPU. */
export const queueWorkers = ['scanner', 'watermark', 'audit', 'notify'].filter((s) => topology.users[s]?.queue);

const configText = (service: string) => readFileSync(join(root, 'services', service, 'src/config.ts'), 'utf8');
const reads = (text: string, key: string) => new RegExp(`^\\s+${key}:`, 'm').test(text);

/** Internal services a service calls over HTTP: its `<SERVICE>_URL` settings naming a service. */
export function httpTargets(service: string): string[] {
  const text = configText(service);
  return services.filter((s) => s !== service && reads(text, `${s.toUpperCase()}_URL`));
}

/** External dependencies a service reaches, from the configuration keys it validates. */
export function dependencies(service: string): string[] {
  const text = configText(service);
  const deps = ['dns', 'aws']; // every service resolves names and has an IAM identity in the topology
  // A key declared directly, through common's partial schemas (mongoConfigSchema, RedisConfigSchema)
  // or through the internal-service preset (Redis always, MongoDB when it names a `database`).
  const preset = /\binternalServiceConfigSchema\(\{([^}]*)\}/.exec(text);
  if (reads(text, 'MONGO_URL') || /\bmongoConfigSchema\(/.test(text) || /\bdatabase:/.test(preset?.[1] ?? ''))
    deps.push('mongo');
  if (reads(text, 'REDIS_URL') || /\bRedisConfigSchema\b/.test(text) || preset) deps.push('redis');
  if (reads(text, 'SMTP_HOST')) deps.push('smtp');
  if (reads(text, 'WEBHOOK_TIMEOUT_MS')) deps.push('webhooks');
  return deps.sort();
}

/** Pod-to-pod edges: gateway routes, plus each clamd user (CLAMD_HOST) to the release's clamd. */
export function expectedPodEdges(): string[] {
  const edges: string[] = [];
  for (const s of services) {
    for (const t of httpTargets(s)) edges.push(`${s}->${t}`);
    if (reads(configText(s), 'CLAMD_HOST')) edges.push(`${s}->clamd`);
  }
  return edges.sort();
}
