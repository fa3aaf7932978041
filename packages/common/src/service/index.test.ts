import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./fixtures/demo-main.ts', import.meta.url));

function start(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  // Up to 30 s: a child that loads tsx can take seconds on 2 cores busy with other test workers.
  const waitFor = async (text: string) => {
    for (let i = 0; i < 600 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
    return out;
  };
  return { child, exited, waitFor, output: () => out, errors: () => err };
}

describe('runServiceMain', () => {
  it('listens, starts the workers, and on SIGTERM stops them before closing the deps, exiting 0', async () => {
    const s = start();
    await s.waitFor('worker started');
    expect(s.output()).toMatch(/listening .*"port":\d+/);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    const lines = s.output().trim().split('\n').slice(-3);
    expect(lines.slice(0, 2).sort()).toEqual(['listener stopped', 'worker stopped']);
    expect(lines[2]).toBe('deps closed');
  }, 45_000);

  it('exits 1 with one fatal line naming the problem when the service cannot start', async () => {
    const s = start({ DEMO_FAIL: '1' });
    expect(await s.exited).toBe(1);
    expect(s.errors()).toContain('failed to start: Invalid configuration: DEMO_KEY');
    expect(s.output()).not.toContain('listening');
  }, 45_000);
});
