import { randomBytes } from 'node:crypto';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';

/**
 * Operator actions on the local clamd: what a signature update from freshclam does in production
 * (new definitions, then RELOAD), done by hand so a test can make clamd learn a new threat.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const PORT = Number(process.env.CLAMD_PORT ?? 3310);
const HOST = process.env.CLAMD_HOST ?? '127.0.0.1';

/** One clamd command over TCP ("z" form: NUL-terminated), with an optional INSTREAM body. */
function clamd(command: string, body?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(PORT, HOST);
    const chunks: Buffer[] = [];
    sock.setTimeout(10_000, () => sock.destroy(new Error(`clamd ${command}: timeout`)));
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => resolve(Buffer.concat(chunks).toString('utf8').replace(/\0+$/, '')));
    sock.write(`z${command}\0`);
    if (body) {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(body.length);
      sock.write(Buffer.concat([len, body, Buffer.alloc(4)]));
    } else {
      sock.end();
    }
  });
}

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
  const detects = async () => (await clamd('INSTREAM', marker)).includes(`${name}.UNOFFICIAL FOUND`);
  return {
    marker,
    name,
    async learn() {
      const file = join(await databaseDirectory(), `e2e-${tag}.ndb`);
      await writeFile(file, `${name}:0:*:${marker.toString('hex')}\n`);
      await clamd('RELOAD');
      await until('load the new signature', detects);
      return {
        marker,
        name,
        async remove() {
          await unlink(file).catch(() => undefined);
          await clamd('RELOAD');
          await until('unload the signature', async () => !(await detects()));
        },
      };
    },
  };
}
