// Per-service AWS credentials written by provisioning: .local/state/credentials/<service>.env
// (dotenv format, mode 600) so scripts can source them and tests can read them.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ServiceCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Overridable so containers can keep the state on a shared volume. */
export const credentialsDir = process.env.MEDVAULT_CREDENTIALS_DIR ?? join(repoRoot, '.local/state/credentials');

export const credentialsFile = (service: string, dir = credentialsDir): string => join(dir, `${service}.env`);

export function tryReadServiceCredentials(service: string, dir = credentialsDir): ServiceCredentials | undefined {
  const file = credentialsFile(service, dir);
  if (!existsSync(file)) return undefined;
  const vars = Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.match(/^\s*([A-Z_]+)=(.*)$/))
      .filter((m): m is RegExpMatchArray => m !== null)
      .map((m) => [m[1], m[2]?.trim()]),
  );
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = vars;
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

/** Credentials of one service's IAM user; throws a hint when the stack was never provisioned. */
export function readServiceCredentials(service: string, dir = credentialsDir): ServiceCredentials {
  const creds = tryReadServiceCredentials(service, dir);
  if (!creds)
    throw new Error(`no credentials for '${service}' in ${dir}: run 'bash infra/stack.sh up' (or npm run provision)`);
  return creds;
}

export function writeServiceCredentials(service: string, creds: ServiceCredentials): void {
  mkdirSync(credentialsDir, { recursive: true, mode: 0o700 });
  const file = credentialsFile(service);
  writeFileSync(file, `AWS_ACCESS_KEY_ID=${creds.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${creds.secretAccessKey}\n`, {
    mode: 0o600,
  });
  chmodSync(file, 0o600); // writeFileSync keeps the mode of an existing file
}
