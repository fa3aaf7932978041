// NetworkPolicy semantics (networking.k8s.io/v1) evaluated over the release's own pods, and the
// classification of every other allowed peer as one of the chart's declared dependencies.
import { isDeepStrictEqual } from 'node:util';
import type { K8sObject } from './render.js';

type Labels = Record<string, string>;
// biome-ignore lint/suspicious/noExplicitAny: NetworkPolicyPeer / NetworkPolicyPort as rendered
type Json = any;

export interface Pod {
  component: string;
  labels: Labels;
  port: number;
}

function matches(selector: Json, labels: Labels): boolean {
  if (!selector) return true;
  if (selector.matchExpressions?.length) throw new Error('matchExpressions are not evaluated by this test');
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

/** Does a peer select this pod of the release's namespace? ipBlocks are assumed to (worst case). */
function peerSelects(peer: Json, pod: Pod, namespace: string): boolean {
  if (peer.ipBlock) return true;
  const nsLabels = { 'kubernetes.io/metadata.name': namespace };
  if (peer.namespaceSelector && !matches(peer.namespaceSelector, nsLabels)) return false;
  return matches(peer.podSelector, pod.labels);
}

const portAllowed = (ports: Json[] | undefined, port: number) =>
  !ports || ports.length === 0 || ports.some((p) => p.port === port && (p.protocol ?? 'TCP') === 'TCP');

function allows(policies: K8sObject[], pod: Pod, type: 'Ingress' | 'Egress', peerPod: Pod, port: number, ns: string) {
  const selecting = policies.filter(
    (p) => matches(p.spec.podSelector, pod.labels) && p.spec.policyTypes.includes(type),
  );
  if (selecting.length === 0) return true; // not isolated
  const key = type === 'Ingress' ? 'ingress' : 'egress';
  const peersKey = type === 'Ingress' ? 'from' : 'to';
  return selecting.some((p) =>
    (p.spec[key] ?? []).some(
      (rule: Json) =>
        portAllowed(rule.ports, port) &&
        (!rule[peersKey] || rule[peersKey].some((peer: Json) => peerSelects(peer, peerPod, ns))),
    ),
  );
}

/**
 * Pairs "from->to" of release pods whose policies let `from` open a TCP connection to `to`'s port.
 * side: what must allow it: the sender's egress, the receiver's ingress, or both (real traffic).
 */
export function podGraph(policies: K8sObject[], pods: Pod[], ns: string, side: 'egress' | 'ingress' | 'both' = 'both') {
  const edges: string[] = [];
  for (const a of pods)
    for (const b of pods) {
      if (a === b) continue;
      const out = side === 'ingress' || allows(policies, a, 'Egress', b, b.port, ns);
      const inn = side === 'egress' || allows(policies, b, 'Ingress', a, b.port, ns);
      if (out && inn) edges.push(`${a.component}->${b.component}`);
    }
  return edges.sort();
}

export interface Dependency {
  port?: number;
  ports?: number[];
  to: Json[];
}

const depPorts = (name: string, d: Dependency) => (name === 'dns' ? [53] : (d.ports ?? [d.port ?? 0]));

/**
 * Compares the egress a pod has towards anything but release pods with the dependencies it should
 * reach: `unexpected` lists allowed (peer, port) pairs no expected dependency declares (e.g. a
 * dependency the service does not use), `missing` the declared pairs of expected dependencies that
 * are not allowed. Both empty = exactly the expected dependencies.
 */
export function egressVersusDependencies(
  policies: K8sObject[],
  pod: Pod,
  pods: Pod[],
  deps: Record<string, Dependency>,
  expected: string[],
  ns: string,
) {
  const entries: { peer: Json; port: number }[] = [];
  const unexpected: string[] = [];
  const selecting = policies.filter(
    (p) => matches(p.spec.podSelector, pod.labels) && p.spec.policyTypes.includes('Egress'),
  );
  for (const p of selecting)
    for (const rule of p.spec.egress ?? []) {
      if (!rule.to || !rule.ports) {
        unexpected.push(`${p.metadata.name}: any peer or any port`);
        continue;
      }
      for (const peer of rule.to)
        for (const port of rule.ports) {
          const toPod =
            !peer.ipBlock && pods.some((q) => q !== pod && peerSelects(peer, q, ns) && q.port === port.port);
          if (!toPod) entries.push({ peer, port: port.port }); // pod-to-pod edges: podGraph
        }
    }
  const dep = (name: string): Dependency => {
    const d = deps[name];
    if (!d) throw new Error(`dependencies.${name} is not in the chart values`);
    return d;
  };
  const declares = (name: string, e: { peer: Json; port: number }) =>
    dep(name).to.some((t) => isDeepStrictEqual(t, e.peer)) && depPorts(name, dep(name)).includes(e.port);
  for (const e of entries)
    if (!expected.some((name) => declares(name, e))) unexpected.push(`${JSON.stringify(e.peer)}:${e.port}`);
  const missing: string[] = [];
  for (const name of expected)
    for (const peer of dep(name).to)
      for (const port of depPorts(name, dep(name)))
        if (!entries.some((e) => isDeepStrictEqual(e.peer, peer) && e.port === port)) missing.push(`${name} ${port}`);
  return { unexpected, missing };
}

/** Ingress peers of a pod that are not release pods, named after the chart setting that declares them. */
export function externalIngress(
  policies: K8sObject[],
  pod: Pod,
  pods: Pod[],
  sources: Record<string, Json[]>,
  ns: string,
) {
  const found = new Set<string>();
  const selecting = policies.filter(
    (p) => matches(p.spec.podSelector, pod.labels) && p.spec.policyTypes.includes('Ingress'),
  );
  for (const p of selecting)
    for (const rule of p.spec.ingress ?? []) {
      if (!rule.from) {
        found.add('unknown:any-peer');
        continue;
      }
      for (const peer of rule.from) {
        if (!peer.ipBlock && pods.some((q) => q !== pod && peerSelects(peer, q, ns))) continue;
        const src = Object.entries(sources).find(([, list]) => list.some((s) => isDeepStrictEqual(s, peer)));
        found.add(src ? src[0] : `unknown:${JSON.stringify(peer)}`);
      }
    }
  return [...found].sort();
}
