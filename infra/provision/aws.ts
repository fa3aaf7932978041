// Shared plumbing of the provisioning script: configuration, SDK clients, small comparison helpers.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ServiceCredentials } from './credentials.js';

// What this run changed, for the summary (details with PROVISION_VERBOSE=1).
export const changes: { kind: string; what: string }[] = [];
export const change = (kind: string, what: string) => changes.push({ kind, what });

export const infraDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// `npm run provision` starts without the stack's env; never override what the caller set.
process.loadEnvFile(join(infraDir, 'env/local.env'));

export const endpoint = process.env.AWS_ENDPOINT_URL ?? '';
export const region = process.env.AWS_REGION ?? 'us-east-1';
export const account = process.env.AWS_ACCOUNT_ID ?? '123456789012';

export interface Topology {
  kms: Record<
    'data' | 'signing',
    { alias: string; keySpec: string; keyUsage: string; rotation: boolean; description: string }
  >;
  buckets: {
    ref: string;
    name: string;
    kmsKey: 'data';
    versioning: boolean;
    objectLock?: { mode: 'COMPLIANCE' | 'GOVERNANCE'; days: number };
  }[];
  lifecycle: { trashPrefix: string; trashExpirationDays: number; abortIncompleteMultipartDays: number };
  topic: string;
  queueDefaults: { visibilityTimeout: number; maxReceiveCount: number; dlqRetentionSeconds: number };
  queues: Record<string, string[] | null>;
  users: Record<string, { policy: string; queue?: string }>;
}

export const topology: Topology = JSON.parse(readFileSync(join(infraDir, 'topology.json'), 'utf8'));

export function clients(credentials: ServiceCredentials) {
  const base = { region, endpoint, credentials, maxAttempts: 3 };
  return {
    iam: new IAMClient(base),
    kms: new KMSClient(base),
    s3: new S3Client({ ...base, forcePathStyle: true }),
    sns: new SNSClient(base),
    sqs: new SQSClient(base),
  };
}
export type Clients = ReturnType<typeof clients>;

/** True for the error names AWS uses when a resource already exists / does not exist. */
export const errorName = (err: unknown): string => (err as { name?: string })?.name ?? '';
export const isAuthError = (err: unknown): boolean =>
  [
    'InvalidClientTokenId',
    'SignatureDoesNotMatch',
    'AccessDenied',
    'AccessDeniedException',
    'UnrecognizedClientException',
  ].includes(errorName(err)) || (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 403;

export async function ignoring<T>(names: string[], fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    // moto sometimes appends "Exception" to the AWS error code (EntityAlreadyExistsException).
    if (names.some((n) => errorName(err) === n || errorName(err) === `${n}Exception`)) return undefined;
    throw err;
  }
}

/** Structural equality that treats "5" and 5 alike (AWS echoes numbers inside JSON attributes as either). */
export function sameJson(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown => {
    if (typeof v === 'string') {
      try {
        const parsed = JSON.parse(v);
        if (typeof parsed === 'object' && parsed !== null) return norm(parsed);
      } catch {}
      return v;
    }
    if (Array.isArray(v)) return v.map(norm);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v)
          .sort(([x], [y]) => x.localeCompare(y))
          .map(([k, x]) => [k, norm(x)]),
      );
    }
    return v === undefined || v === null ? v : String(v);
  };
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

/**
 * AWS authorizes SQS batch calls with the single-message action (DeleteMessageBatch needs
 * sqs:DeleteMessage); moto checks the API name itself ("sqs:DeleteMessageBatch").
 */
const MOTO_BATCH_ACTIONS: Record<string, string> = {
  'sqs:DeleteMessage': 'sqs:DeleteMessageBatch',
  'sqs:ChangeMessageVisibility': 'sqs:ChangeMessageVisibilityBatch',
};

/**
 * moto only evaluates the Resource element of IAM policies for S3, SQS and IAM roles; KMS and SNS
 * requests are checked against "*", so a statement scoped to a key/topic ARN would never match
 * there. Against moto those statements are widened to "*" (actions stay least-privilege), and
 * SQS batch API names are added next to the actions that authorize them in AWS.
 */
export function adaptPolicyForMoto(policy: {
  Statement: { Action: string | string[]; Resource: string | string[] }[];
}) {
  for (const st of policy.Statement) {
    const actions = Array.isArray(st.Action) ? st.Action : [st.Action];
    if (actions.every((a) => a.startsWith('kms:') || a.startsWith('sns:'))) st.Resource = '*';
    const batch = actions.map((a) => MOTO_BATCH_ACTIONS[a]).filter((a): a is string => !!a && !actions.includes(a));
    if (batch.length > 0) st.Action = [...actions, ...batch];
  }
  return policy;
}

/** moto exposes /moto-api/; LocalStack and real AWS do not. */
export async function detectMoto(): Promise<boolean> {
  try {
    return (await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(3000) })).ok;
  } catch {
    return false;
  }
}

/** moto's test hook: the next `count` requests skip authentication (0 = enforce from now on). */
export async function setMotoAuthWindow(count: number): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: String(count) });
  if (!res.ok) throw new Error(`moto reset-auth failed: HTTP ${res.status}`);
}
