import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { localPids, measureCpu } from './cpu.js';

const linux = process.platform === 'linux';

describe.runIf(linux)('measureCpu', () => {
  it('charges the CPU of a child that ran and ended to the process that started it', () => {
    const stop = measureCpu({ self: process.pid });
    // The child spins about 400 ms of CPU, then exits; it is reaped before the measurement ends.
    spawnSync(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 400) {}']);
    const use = stop();
    expect(use?.seconds.self).toBeGreaterThanOrEqual(0.2);
  });

  it('reports how many cores were busy and how many the machine has', () => {
    const stop = measureCpu({ self: process.pid });
    const t = Date.now();
    while (Date.now() - t < 200) {
      // spin: one core busy
    }
    const use = stop();
    expect(use?.cores).toBeGreaterThanOrEqual(1);
    expect(use?.busyCores).toBeGreaterThan(0.3);
  });
});

describe('localPids', () => {
  it('leaves out processes that have no pid file', () => {
    expect(localPids('/nonexistent-run-dir', ['aws', 'files'])).toEqual({});
  });
});
