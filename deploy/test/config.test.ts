// The configuration the chart gives each pod must pass that service's own validation
// (services/<name>/src/config.ts, the validated truth): a missing or malformed variable would stop the
// pod at start in the cluster; here it fails the test.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadServiceConfig as appointments } from '../../services/appointments/src/config.js';
import { loadServiceConfig as audit } from '../../services/audit/src/config.js';
import { loadServiceConfig as chat } from '../../services/chat/src/config.js';
import { loadServiceConfig as files } from '../../services/files/src/config.js';
import { loadServiceConfig as gateway } from '../../services/gateway/src/config.js';
import { loadServiceConfig as notify } from '../../services/notify/src/config.js';
import { loadServiceConfig as scanner } from '../../services/scanner/src/config.js';
import { loadServiceConfig as watermark } from '../../services/watermark/src/config.js';
import { services, topology } from './expected.js';
import { chartDir, type K8sObject, ofKind, render, root } from './render.js';

const loaders: Record<string, (env: NodeJS.ProcessEnv) => object> = {
  appointments,
  audit,
  chat,
  files,
  gateway,
  notify,
  scanner,
  watermark,
};

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { key: string } };
}

/** The environment a pod of this Deployment starts with; Secret keys take the chart's example values. */
function podEnv(d: K8sObject, config: Record<string, string>, secrets: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'medvault-secrets-'));
  const env: Record<string, string> = { ...config };
  const container = d.spec.template.spec.containers[0];
  for (const e of container.env as EnvVar[]) {
    const ref = e.valueFrom?.secretKeyRef?.key;
    env[e.name] = ref !== undefined ? (secrets[ref] ?? `missing secret key ${ref}`) : (e.value ?? '');
  }
  // Secret files: the mount path of the pod, re-rooted to a temporary directory holding the keys.
  for (const [name, value] of Object.entries(env))
    if (name.endsWith('_FILE') && value.startsWith('/var/run/medvault/secrets/')) {
      const key = value.slice('/var/run/medvault/secrets/'.length);
      const file = `${dir}/${key.replace(/[^\w.-]/g, '_')}`;
      writeFileSync(file, secrets[key] ?? '');
      env[name] = file;
    }
  return env;
}

describe.each([
  ['default', []],
  ['production', [join(chartDir, 'values-production.yaml')]],
])('the configuration the chart renders with %s values', (_name, files) => {
  const r = render(files as string[]);
  const configMap = ofKind(r, 'ConfigMap').find((c) => c.metadata.name.endsWith('-config')) as K8sObject;
  const secrets = r.values.secrets.values as Record<string, string>;

  it.each(services)('passes the %s service’s own config validation, on its port, queue and routes', (service) => {
    const d = ofKind(r, 'Deployment').find((x) => x.metadata.labels?.['app.kubernetes.io/component'] === service);
    if (!d) throw new Error(`no Deployment for ${service}`);
    const load = loaders[service];
    if (!load) throw new Error(`no config loader for ${service}`);
    const cfg = load(podEnv(d, configMap.data as Record<string, string>, secrets)) as Record<string, unknown>;
    const up = service.toUpperCase();
    expect(cfg[`${up}_PORT`]).toBe(d.spec.template.spec.containers[0].ports[0].containerPort);
    expect(cfg.HOST).toBe('0.0.0.0');
    expect(cfg[`${up}_QUEUE_NAME`]).toBe(topology.users[service]?.queue);
    expect(cfg.AWS_ACCESS_KEY_ID).toBeUndefined();
    if (service === 'gateway')
      for (const t of ['files', 'appointments', 'notify', 'audit', 'chat']) {
        const svc = ofKind(r, 'Service').find((s) => s.metadata.labels?.['app.kubernetes.io/component'] === t);
        expect(cfg[`${t.toUpperCase()}_URL`]).toBe(`http://${svc?.metadata.name}:${svc?.spec.ports[0].port}`);
      }
  });
});

describe('the clamd the chart runs', () => {
  it('keeps every fail-closed scan setting of the local stack (infra/clamav/clamd.conf.template)', () => {
    const r = render([]);
    const conf = ofKind(r, 'ConfigMap').find((c) => c.metadata.name.endsWith('-clamd'))?.data as Record<string, string>;
    const directives = (text: string) =>
      new Map(
        text
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !l.startsWith('#'))
          .map((l) => [l.split(/\s+/)[0] as string, l.split(/\s+/).slice(1).join(' ')]),
      );
    const local = directives(readFileSync(join(root, 'infra/clamav/clamd.conf.template'), 'utf8'));
    const chart = directives(conf['clamd.conf'] ?? '');
    const policy = [...local.keys()].filter((k) => /^(Scan|Alert|Heuristic|MaxRecursion|MaxFiles)/.test(k));
    expect(policy.length).toBeGreaterThan(10);
    for (const k of policy) expect(chart.get(k), k).toBe(local.get(k));
  });
});
