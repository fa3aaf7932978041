// An AWS emulator that evaluates IAM policies, for the least-privilege tests only.
//
// The local stack runs LocalStack, whose community edition accepts every request whatever the
// caller's policy. moto evaluates identity policies, so these tests start their own moto on a
// free loopback port, provision it with the same infra/topology.json and infra/iam/*.json (the
// same script as the stack: infra/provision/provision.ts) into a credentials folder of their
// own, and stop it afterwards. The running stack is not touched.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** moto's default account: the ARNs the provisioned policies name. */
export const MOTO_ACCOUNT = '123456789012';

export interface IamEmulator {
  endpoint: string;
  credentialsDir: string;
  /** Queue URL base and topic ARN as they exist on this emulator. */
  queueUrlBase: string;
  topicArn: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

async function waitUntilServing(endpoint: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto exited with code ${child.exitCode}`);
    const ok = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`moto did not answer on ${endpoint} within 30 s`);
}

export async function startIamEmulator(): Promise<IamEmulator> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // IAM enforced from the first request; provisioning opens moto's bootstrap window itself.
  const child = spawn(join(root, '.local/venv/bin/moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: '0' },
    stdio: 'ignore',
  });
  const credentialsDir = mkdtempSync(join(tmpdir(), 'medvault-iam-'));
  const stop = async () => {
    child.kill('SIGTERM');
    rmSync(credentialsDir, { recursive: true, force: true });
  };
  try {
    await waitUntilServing(endpoint, child);
    await promisify(execFile)(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'infra/provision/provision.ts'],
      {
        cwd: root,
        env: {
          ...process.env,
          AWS_ENDPOINT_URL: endpoint,
          AWS_ACCOUNT_ID: MOTO_ACCOUNT,
          MEDVAULT_CREDENTIALS_DIR: credentialsDir,
          AWS_ACCESS_KEY_ID: 'bootstrap',
          AWS_SECRET_ACCESS_KEY: 'bootstrap',
        },
      },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const region = process.env.AWS_REGION ?? 'us-east-1';
  return {
    endpoint,
    credentialsDir,
    queueUrlBase: `${endpoint}/${MOTO_ACCOUNT}`,
    topicArn: `arn:aws:sns:${region}:${MOTO_ACCOUNT}:medvault-events`,
    stop,
  };
}
