import { randomBytes } from 'node:crypto';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ClamdClient } from '../../services/scanner/src/adapters/clamd.js';

/**
 * Operator actions on the local clamd: what a signature update from freshclam does in production
 * (new definitions, then RELOAD), done by hand so a test can make clamd learn a new threat.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const clamd = new ClamdClient({
  host: process.env.CLAMD_HOST ?? '127.0.0.1',
  port: Number(process.env.CLAMD_PORT ?? 3310),
  timeoutMs: 10_000,
});

async function databaseDirectory(): Promise<string> {
  const conf = await readFile(join(ROOT, '.local/run/clamd.conf'), 'utf8').catch(() => '');
  const dir = /^DatabaseDirectory\s+(\S+)/m.exec(conf)?.[1];
  if (!dir) throw new Error('no local clamd config in .local/run/clamd.conf (start the stack with infra/stack.sh up)');
  return dir;
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`clamd: ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface NewThreat {
  /** Bytes that clamd flags once the signature is loaded (and not before). */
  marker: Buffer;
  name: string;
  /** Removes the signature and reloads clamd. */
  remove(): Promise<void>;
}

/** A fresh, unique body signature: unknown to clamd until `learn()` is called. */
export function newThreat(): { marker: Buffer; name: string; learn(): Promise<NewThreat> } {
  const tag = randomBytes(8).toString('hex').toUpperCase();
  const marker = Buffer.from(`MEDVAULT-E2E-LATE-THREAT-${tag}`);
  const name = `MedVault.E2E.LateThreat-${tag}`;
  const detects = async () =>
    (await clamd.scanStream(Readable.from([marker]), marker.length)).reply.includes(`${name}.UNOFFICIAL FOUND`);
  return {
    marker,
    name,
    async learn() {
      const file = join(await databaseDirectory(), `e2e-${tag}.ndb`);
      await writeFile(file, `${name}:0:*:${marker.toString('hex')}\n`);
      await clamd.command('RELOAD');
      await until('load the new signature', detects);
      return {
        marker,
        name,
        async remove() {
          await unlink(file).catch(() => undefined);
          await clamd.command('RELOAD');
          await until('unload the signature', async () => !(await detects()));
        },
      };
    },
  };
}
