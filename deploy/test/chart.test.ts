import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology, renderIam } from '../iam/render-iam.js';
import { dependencies, expectedPodEdges, httpTargets, queueWorkers, services, topology } from './expected.js';
import { egressVersusDependencies, externalIngress, type Pod, podGraph } from './graph.js';
import { chartDir, type K8sObject, namespace, ofKind, type Rendered, render, runChecker } from './render.js';

const valueSets: Record<string, string[]> = {
  default: [],
  production: [join(chartDir, 'values-production.yaml')],
};
const cache = new Map<string, Rendered>();
const rendered = (set: string): Rendered => {
  if (!cache.has(set)) cache.set(set, render(valueSets[set] ?? []));
  return cache.get(set) as Rendered;
};

const component = (o: K8sObject) => o.metadata.labels?.['app.kubernetes.io/component'] ?? '';

function pods(r: Rendered): Pod[] {
  return ofKind(r, 'Deployment').map((d) => ({
    component: component(d),
    labels: d.spec.template.metadata.labels,
    port: d.spec.template.spec.containers[0].ports[0].containerPort,
  }));
}

function writeValues(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'medvault-chart-')), 'values.yaml');
  writeFileSync(file, yaml);
  return file;
}

describe.each(Object.keys(valueSets))('the Helm chart with %s values', (set) => {
  it('renders with Helm’s engine and every object decodes strictly into the Kubernetes and KEDA types', () => {
    const r = rendered(set);
    const kinds = new Set(r.objects.map((o) => o.kind));
    for (const k of ['Deployment', 'Service', 'ServiceAccount', 'PodDisruptionBudget', 'NetworkPolicy', 'Ingress'])
      expect(kinds, k).toContain(k);
    expect(kinds).toContain('ScaledObject');
    expect(kinds).toContain('HorizontalPodAutoscaler');
  });

  it('deploys exactly the services of topology.json, each with a Service, ServiceAccount and PodDisruptionBudget', () => {
    const r = rendered(set);
    const deployed = ofKind(r, 'Deployment')
      .map(component)
      .filter((c) => c !== 'clamd');
    expect(deployed.sort()).toEqual(services);
    for (const kind of ['Service', 'ServiceAccount', 'PodDisruptionBudget'])
      expect(
        ofKind(r, kind)
          .map(component)
          .filter((c) => c !== 'clamd' && c !== '')
          .sort(),
        kind,
      ).toEqual(services);
  });

  it('runs every container non-root on a read-only root filesystem, services probed on /health/live and /health/ready', () => {
    for (const d of ofKind(rendered(set), 'Deployment')) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext?.runAsNonRoot, d.metadata.name).toBe(true);
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        expect(c.securityContext?.readOnlyRootFilesystem, `${d.metadata.name}/${c.name}`).toBe(true);
        expect(c.securityContext?.allowPrivilegeEscalation, `${d.metadata.name}/${c.name}`).toBe(false);
        expect(c.securityContext?.capabilities?.drop, `${d.metadata.name}/${c.name}`).toEqual(['ALL']);
      }
      if (component(d) === 'clamd') continue; // clamd speaks its own TCP protocol, probed over TCP
      const [c] = pod.containers;
      expect(c.livenessProbe?.httpGet?.path, d.metadata.name).toBe('/health/live');
      expect(c.readinessProbe?.httpGet?.path, d.metadata.name).toBe('/health/ready');
      expect(c.resources?.requests?.memory && c.resources?.limits?.memory, d.metadata.name).toBeTruthy();
    }
  });

  it('gives every service an IRSA role of the rendered IAM policies and no static AWS keys', () => {
    const r = rendered(set);
    const iam = renderIam(loadTopology(), {
      namespace,
      release: 'medvault',
      rolePrefix: r.values.aws.rolePrefix,
      kedaScaled: queueWorkers,
    });
    const roles = iam.resource.aws_iam_role as Record<string, { name: string; assume_role_policy: string }>;
    const accounts = new Map(ofKind(r, 'ServiceAccount').map((sa) => [sa.metadata.name, sa]));
    for (const d of ofKind(r, 'Deployment').filter((x) => component(x) !== 'clamd')) {
      const sa = accounts.get(d.spec.template.spec.serviceAccountName);
      expect(sa, d.metadata.name).toBeDefined();
      const arn = sa?.metadata.annotations?.['eks.amazonaws.com/role-arn'] ?? '';
      const role = roles[component(d)];
      if (!role) throw new Error(`no IAM role rendered for ${component(d)}`);
      expect(arn).toBe(`arn:aws:iam::${r.values.aws.accountId}:role/${role.name}`);
      expect(role.assume_role_policy).toContain(`system:serviceaccount:${namespace}:${sa?.metadata.name}`);
      const env = d.spec.template.spec.containers[0].env.map((e: { name: string }) => e.name);
      expect(env).not.toContain('AWS_ACCESS_KEY_ID');
      expect(env).not.toContain('AWS_SECRET_ACCESS_KEY');
    }
  });

  it('lets NetworkPolicies allow exactly the service graph between the release’s pods, on each side alone', () => {
    const r = rendered(set);
    // Each side enforces the graph by itself: a compromised pod cannot widen its own egress to get in.
    for (const side of ['both', 'egress', 'ingress'] as const)
      expect(podGraph(ofKind(r, 'NetworkPolicy'), pods(r), namespace, side), side).toEqual(expectedPodEdges());
    expect(httpTargets('gateway').length).toBeGreaterThan(0);
  });

  it('lets each service reach exactly the dependencies its configuration names, nothing else', () => {
    const r = rendered(set);
    const all = pods(r);
    for (const pod of all) {
      const expected = pod.component === 'clamd' ? ['dns', 'signatures'] : dependencies(pod.component);
      const policies = ofKind(r, 'NetworkPolicy');
      const found = egressVersusDependencies(policies, pod, all, r.values.dependencies, expected, namespace);
      expect(found, pod.component).toEqual({ unexpected: [], missing: [] });
    }
  });

  it('admits traffic from outside the release only to the gateway (ingress controller) and to metrics when enabled', () => {
    const r = rendered(set);
    const all = pods(r);
    const np = r.values.networkPolicy;
    const sources = { ingress: np.ingressController, metrics: np.metrics.enabled ? np.metrics.from : [] };
    for (const pod of all) {
      const expected = [
        ...(pod.component === 'gateway' ? ['ingress'] : []),
        ...(np.metrics.enabled && pod.component !== 'clamd' ? ['metrics'] : []),
      ].sort();
      expect(externalIngress(ofKind(r, 'NetworkPolicy'), pod, all, sources, namespace), pod.component).toEqual(
        expected,
      );
    }
  });

  it('scales every queue worker with a KEDA ScaledObject on its own SQS queue, HTTP services with a CPU HPA', () => {
    const r = rendered(set);
    const scaled = ofKind(r, 'ScaledObject');
    const hpas = ofKind(r, 'HorizontalPodAutoscaler');
    const auths = new Set(ofKind(r, 'TriggerAuthentication').map((a) => a.metadata.name));
    expect(queueWorkers.length).toBe(4);
    for (const service of services) {
      const deployment = ofKind(r, 'Deployment').find((d) => component(d) === service) as K8sObject;
      const so = scaled.filter((s) => s.spec.scaleTargetRef.name === deployment.metadata.name);
      const hpa = hpas.filter((h) => h.spec.scaleTargetRef.name === deployment.metadata.name);
      if (queueWorkers.includes(service)) {
        expect(so, service).toHaveLength(1);
        expect(hpa, service).toHaveLength(0); // KEDA owns the HPA of a scaled object
        const scaledObject = so[0] as K8sObject;
        const [trigger] = scaledObject.spec.triggers;
        expect(trigger.type).toBe('aws-sqs-queue');
        expect(trigger.metadata.queueURL).toMatch(new RegExp(`/${topology.users[service]?.queue}$`));
        expect(auths).toContain(trigger.authenticationRef.name);
        expect(scaledObject.spec.maxReplicaCount).toBeGreaterThanOrEqual(scaledObject.spec.minReplicaCount);
      } else {
        expect(so, service).toHaveLength(0);
        expect(hpa, service).toHaveLength(1);
        expect(hpa[0]?.spec.metrics[0].resource.name).toBe('cpu');
      }
      // The autoscaler owns the replica count; a fixed one would fight it on every rollout.
      expect(deployment.spec.replicas, service).toBeUndefined();
    }
  });

  it('fronts the gateway with a TLS Ingress', () => {
    const ingresses = ofKind(rendered(set), 'Ingress');
    expect(ingresses).toHaveLength(1);
    const ing = ingresses[0] as K8sObject;
    expect(ing.spec.tls[0].hosts).toContain(ing.spec.rules[0].host);
    expect(ing.spec.rules[0].http.paths[0].backend.service.name).toMatch(/-gateway$/);
  });
});

describe('the chart checker', () => {
  it('rejects a field the Kubernetes types do not have (strict decoding)', () => {
    const bad = writeValues('dependencies:\n  dns:\n    to:\n      - podSelectr: {}\n');
    const r = runChecker([bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown field "spec.egress\[0\].to\[0\].podSelectr"/);
  });

  it('rejects a misspelt chart setting (values.schema.json)', () => {
    const bad = writeValues('services:\n  scanner:\n    autoscaling:\n      minReplica: 0\n');
    const r = runChecker([bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Additional property minReplica is not allowed/);
  });

  it('rejects a ScaledObject field KEDA’s own types do not have', () => {
    const r = runChecker([], join(import.meta.dirname, 'fixtures/bad-scaledobject'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/scaledobject.yaml.*unknown field "spec.minReplicas"/);
  });

  it('rejects a KEDA object its CRD schema refuses (enum value)', () => {
    const bad = writeValues('keda:\n  identityOwner: operator\n');
    const r = runChecker([bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/TriggerAuthentication does not match the CRD schema: .*identityOwner/);
  });

  it('refuses to scale to zero a service that is not safe there', () => {
    const bad = writeValues('services:\n  audit:\n    autoscaling:\n      minReplicas: 0\n');
    const r = runChecker([bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not safe to scale to zero/);
  });
});
