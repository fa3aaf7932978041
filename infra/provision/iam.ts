// IAM side of provisioning: one user per service with its rendered inline policy and a
// working access key, plus the bootstrap of the admin ('provisioner') user on a fresh emulator.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListAccessKeysCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  adaptPolicyForMoto,
  change,
  clients,
  ignoring,
  infraDir,
  isAuthError,
  sameJson,
  setMotoAuthWindow,
  topology,
} from './aws.js';
import { type ServiceCredentials, tryReadServiceCredentials, writeServiceCredentials } from './credentials.js';
/**
 * A stored key still works when IAM (asked with that very key) lists it for its user. An emulator
 * that does not check signatures (LocalStack community) answers a restarted, empty IAM with
 * NoSuchEntity instead of an auth error: the key is gone all the same.
 */
export async function keyIsLive(iam: IAMClient, user: string, accessKeyId: string): Promise<boolean> {
  const listed = await ignoring(['NoSuchEntity'], () => iam.send(new ListAccessKeysCommand({ UserName: user })));
  const { AccessKeyMetadata = [] } = listed ?? {};
  return AccessKeyMetadata.some((k) => k.AccessKeyId === accessKeyId && k.Status === 'Active');
}

/** Replaces all keys of a user by a fresh one (IAM allows two keys per user). */
export async function issueKey(iam: IAMClient, user: string): Promise<ServiceCredentials> {
  const { AccessKeyMetadata = [] } = await iam.send(new ListAccessKeysCommand({ UserName: user }));
  for (const k of AccessKeyMetadata)
    await iam.send(new DeleteAccessKeyCommand({ UserName: user, AccessKeyId: k.AccessKeyId }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: user }));
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey)
    throw new Error(`CreateAccessKey for ${user} returned no key`);
  writeServiceCredentials(user, {
    accessKeyId: AccessKey.AccessKeyId,
    secretAccessKey: AccessKey.SecretAccessKey,
  });
  change('access key', user);
  return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
}

export async function ensureUser(iam: IAMClient, user: string, policy: object): Promise<void> {
  if (await ignoring(['EntityAlreadyExists'], () => iam.send(new CreateUserCommand({ UserName: user }))))
    change('user', user);
  const PolicyName = `medvault-${user}`;
  const current = await ignoring(['NoSuchEntity'], () =>
    iam.send(new GetUserPolicyCommand({ UserName: user, PolicyName })),
  );
  const currentDoc = current?.PolicyDocument ? decodeURIComponent(current.PolicyDocument) : undefined;
  if (!currentDoc || !sameJson(currentDoc, policy)) {
    await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName, PolicyDocument: JSON.stringify(policy) }));
    change('policy', user);
  }
}

export function renderPolicy(file: string, vars: Record<string, string>, moto: boolean) {
  const text = readFileSync(join(infraDir, file), 'utf8').replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`${file}: unknown placeholder \${${name}}`);
    return value;
  });
  const policy = JSON.parse(text);
  return moto ? adaptPolicyForMoto(policy) : policy;
}

/**
 * The provisioner (admin) user. With stored working credentials nothing happens; otherwise
 * (fresh moto: IAM enforced from request one) moto's auth is opened for the bootstrap only.
 */
export async function ensureProvisioner(moto: boolean): Promise<ServiceCredentials> {
  const stored = tryReadServiceCredentials('provisioner');
  if (stored) {
    try {
      if (await keyIsLive(clients(stored).iam, 'provisioner', stored.accessKeyId)) return stored;
    } catch (err) {
      if (!isAuthError(err)) throw err;
    }
  }
  const bootstrap = {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'bootstrap',
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'bootstrap',
  };
  if (moto) await setMotoAuthWindow(1_000);
  try {
    const { iam } = clients(bootstrap);
    await ensureUser(
      iam,
      'provisioner',
      renderPolicy(topology.users.provisioner?.policy ?? 'iam/provisioner.json', {}, moto),
    );
    return await issueKey(iam, 'provisioner');
  } finally {
    if (moto) await setMotoAuthWindow(0); // enforce IAM for every later request
  }
}
