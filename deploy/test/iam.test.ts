import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology, renderIam } from '../iam/render-iam.js';
import { queueWorkers, services } from './expected.js';
import { root } from './render.js';

interface Statement {
  Sid: string;
  Action: string | string[];
  Resource: string | string[];
}
const list = (x: string | string[]) => (Array.isArray(x) ? x : [x]);

const iam = renderIam(loadTopology(), {
  namespace: 'medvault',
  release: 'medvault',
  rolePrefix: 'medvault-',
  kedaScaled: queueWorkers,
});
const policies = iam.resource.aws_iam_role_policy as Record<string, { policy: string; role: string }>;
const roles = iam.resource.aws_iam_role as Record<string, { assume_role_policy: string }>;

describe('the IAM roles rendered from infra/iam/*.json', () => {
  it.each(services)('give %s exactly the statements and actions of its policy file', (service) => {
    const source = JSON.parse(readFileSync(join(root, 'infra/iam', `${service}.json`), 'utf8'));
    const rendered = JSON.parse(policies[service]?.policy ?? '{}');
    const shape = (p: { Statement: Statement[] }) =>
      p.Statement.map((s) => ({ sid: s.Sid, actions: list(s.Action), resources: list(s.Resource).length }));
    expect(shape(rendered)).toEqual(shape(source));
    // Every placeholder resolved: only Terraform variable references remain.
    expect(policies[service]?.policy).not.toMatch(/\$\{(?!var\.)/);
    expect(policies[service]?.policy).not.toContain('"*"');
  });

  it('let KEDA assume exactly the queue workers’ roles', () => {
    for (const service of services)
      expect(roles[service]?.assume_role_policy.includes('keda_operator_role_arn'), service).toBe(
        queueWorkers.includes(service),
      );
  });

  it('leave out the local provisioner', () => {
    expect(Object.keys(roles).sort()).toEqual(services);
  });
});
