// Renders the IAM side of a Kubernetes deployment from the one source the local stack also uses:
// infra/topology.json (which services exist, their queues, their policy files) and infra/iam/*.json
// (the least-privilege policies). Output: Terraform JSON (`*.tf.json`) with, per service, an IAM role
// that the service's ServiceAccount assumes through IRSA (eks.amazonaws.com/role-arn, set by the Helm
// chart) and the service's policy as the role's inline policy.
//
//   node --conditions=source --import tsx deploy/iam/render-iam.ts [--namespace medvault]
//     [--release medvault] [--role-prefix medvault-] > medvault-iam.tf.json
//
// Account, region, KMS key ARNs, the cluster's OIDC provider and KEDA's operator role are Terraform
// variables, so the same file serves every environment.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
// The provisioning's own placeholder substitution (unknown placeholders are an error there too).
import { renderPolicy } from '../../infra/provision/iam.js';

const infraDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../infra');

interface Topology {
  topic: string;
  buckets: { ref: string; name: string }[];
  users: Record<string, { policy: string; queue?: string }>;
}

export interface IamOptions {
  namespace: string;
  release: string;
  rolePrefix: string;
  /** Services whose queue depth KEDA reads with the workload's role (it must be allowed to assume it). */
  kedaScaled: string[];
}

/** The chart's object name prefix for a release (templates/_helpers.tpl medvault.fullname). */
export function chartFullname(release: string): string {
  const name = release.includes('medvault') ? release : `${release}-medvault`;
  return name.slice(0, 40).replace(/-+$/, '');
}

const tf = (name: string) => `\${var.${name}}`;

/** Terraform variables every ARN is built from. */
const variables = {
  account_id: { type: 'string', description: 'AWS account id' },
  region: { type: 'string', description: 'AWS region of the MedVault resources' },
  data_key_arn: { type: 'string', description: 'ARN of the KMS key aliased alias/medvault-data' },
  signing_key_arn: { type: 'string', description: 'ARN of the KMS key aliased alias/medvault-audit-signing' },
  oidc_provider_arn: { type: 'string', description: 'ARN of the EKS cluster OIDC identity provider' },
  oidc_provider: {
    type: 'string',
    description: 'OIDC issuer without https:// (oidc.eks.<region>.amazonaws.com/id/<id>)',
  },
  keda_operator_role_arn: { type: 'string', description: "IAM role of KEDA's operator (reads queue depth)" },
};

export function policyVars(topology: Topology): Record<string, string> {
  const arn = (service: string, name: string) => `arn:aws:${service}:${tf('region')}:${tf('account_id')}:${name}`;
  return {
    account: tf('account_id'),
    region: tf('region'),
    topicArn: arn('sns', topology.topic),
    dataKeyArn: tf('data_key_arn'),
    signingKeyArn: tf('signing_key_arn'),
    ...Object.fromEntries(topology.buckets.map((b) => [`${b.ref}Bucket`, b.name])),
  };
}

function trustPolicy(serviceAccount: string, namespace: string, keda: boolean): string {
  const statements: object[] = [
    {
      Sid: 'ServiceAccountViaIRSA',
      Effect: 'Allow',
      Principal: { Federated: tf('oidc_provider_arn') },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          [`${tf('oidc_provider')}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
          [`${tf('oidc_provider')}:aud`]: 'sts.amazonaws.com',
        },
      },
    },
  ];
  // KEDA's aws-sqs-queue scaler with identityOwner=workload assumes the worker's role to read
  // ApproximateNumberOfMessages (the role's ConsumeOwnQueue statement allows sqs:GetQueueAttributes).
  if (keda)
    statements.push({
      Sid: 'KedaReadsQueueDepth',
      Effect: 'Allow',
      Principal: { AWS: tf('keda_operator_role_arn') },
      Action: 'sts:AssumeRole',
    });
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

export function renderIam(topology: Topology, opts: IamOptions) {
  const vars = policyVars(topology);
  const fullname = chartFullname(opts.release);
  const roles: Record<string, object> = {};
  const policies: Record<string, object> = {};
  const outputs: Record<string, object> = {};
  for (const [service, spec] of Object.entries(topology.users)) {
    // The provisioner is the local emulator's admin; in AWS, Terraform itself plays that part.
    if (service === 'provisioner') continue;
    const queueArn = spec.queue ? `arn:aws:sqs:${tf('region')}:${tf('account_id')}:${spec.queue}` : undefined;
    const policy = renderPolicy(spec.policy, { ...vars, ...(queueArn ? { queueArn } : {}) }, false);
    const id = service.replace(/[^a-z0-9_]/g, '_');
    roles[id] = {
      name: `${opts.rolePrefix}${service}`,
      description: `MedVault ${service} (IRSA: ${opts.namespace}/${fullname}-${service})`,
      assume_role_policy: trustPolicy(`${fullname}-${service}`, opts.namespace, opts.kedaScaled.includes(service)),
    };
    policies[id] = { name: `medvault-${service}`, role: `\${aws_iam_role.${id}.id}`, policy: JSON.stringify(policy) };
    outputs[`${id}_role_arn`] = { value: `\${aws_iam_role.${id}.arn}` };
  }
  return {
    variable: variables,
    resource: { aws_iam_role: roles, aws_iam_role_policy: policies },
    output: outputs,
  };
}

export function loadTopology(): Topology {
  return JSON.parse(readFileSync(join(infraDir, 'topology.json'), 'utf8'));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      namespace: { type: 'string', default: 'medvault' },
      release: { type: 'string', default: 'medvault' },
      'role-prefix': { type: 'string', default: 'medvault-' },
      'keda-scaled': { type: 'string', default: 'scanner,watermark,notify,audit' },
    },
  });
  const out = renderIam(loadTopology(), {
    namespace: values.namespace,
    release: values.release,
    rolePrefix: values['role-prefix'],
    kedaScaled: values['keda-scaled'].split(',').filter(Boolean),
  });
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}
