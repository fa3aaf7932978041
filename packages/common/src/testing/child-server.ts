import { spawn } from 'node:child_process';

export interface ChildServer {
  pid: number;
  /** What the child printed after `LISTENING ` (a port or a URL). */
  address: string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts a benchmark's server in a node process of its own (so its CPU is measured apart) and
 * resolves once it prints `LISTENING <address>`. Its stdin stays open while this process lives:
 * the child is expected to exit when stdin ends, so it never outlives a benchmark that crashed.
 */
export function startChildServer(args: string[], env: NodeJS.ProcessEnv, what: string): Promise<ChildServer> {
  const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /LISTENING (\S+)/.exec(out);
      if (m) resolve({ pid: child.pid!, address: m[1]!, stop });
    });
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before listening`)));
  });
}
