// Runs the chart checker (deploy/check, built into .local/bin by infra/install.sh): Helm's own engine
// renders the chart, every object is strictly decoded into the Kubernetes and KEDA Go types.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const chartDir = join(root, 'deploy/helm/medvault');
export const checker = join(root, '.local/bin/medvault-chart-check');
export const namespace = 'medvault';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects are checked field by field in the tests
  spec?: any;
  [key: string]: unknown;
}

export interface Rendered {
  // biome-ignore lint/suspicious/noExplicitAny: the chart's coalesced values (values.yaml shape)
  values: any;
  objects: K8sObject[];
}

export interface CheckResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The sha256 infra/install.sh records for the checker's sources (same files, same order). */
function sourcesHash(): string {
  const dir = join(root, 'deploy/check');
  const sorted = (sub: string, ext: string) =>
    readdirSync(join(dir, sub))
      .filter((f) => f.endsWith(ext))
      .sort()
      .map((f) => join(dir, sub, f));
  const files = [...sorted('.', '.go'), join(dir, 'go.mod'), join(dir, 'go.sum'), ...sorted('crds', '.yaml')];
  const hash = createHash('sha256');
  for (const f of files) hash.update(readFileSync(f));
  return hash.digest('hex');
}

let fresh = false;
function ensureFreshChecker() {
  if (fresh) return;
  if (!existsSync(checker)) throw new Error(`${checker} is missing: run bash infra/install.sh`);
  const built = existsSync(`${checker}.sha256`) ? readFileSync(`${checker}.sha256`, 'utf8').trim() : '';
  if (built !== sourcesHash()) throw new Error(`${checker} is older than deploy/check: run bash infra/install.sh`);
  fresh = true;
}

/** Runs the checker with the given values files (chart defaults always apply first, as with helm). */
export function runChecker(valueFiles: string[], chart = chartDir): CheckResult {
  ensureFreshChecker();
  const args = ['-namespace', namespace, ...valueFiles.flatMap((f) => ['-f', f]), chart];
  const r = spawnSync(checker, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function render(valueFiles: string[]): Rendered {
  const r = runChecker(valueFiles);
  if (r.status !== 0) throw new Error(`chart check failed (exit ${r.status}):\n${r.stderr}`);
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const [first, ...rest] = lines;
  return { values: first.values, objects: rest.map((l) => l.object as K8sObject) };
}

export const ofKind = (r: Rendered, kind: string): K8sObject[] => r.objects.filter((o) => o.kind === kind);
