import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { localPids, measureCpu } from './cpu.js';

const linux = process.platform === 'linux';

/** Burns `ms` of this process's own CPU time. WHY CPU time, not wall time: on 2 cores shared with
 * other test workers, a wall-clock spin gets only part of a core, and the CPU it burns varies. */
function spinCpu(ms: number): void {
  const end = process.cpuUsage().user / 1000 + ms;
  while (process.cpuUsage().user / 1000 < end) {
    // spin
  }
}

describe.runIf(linux)('measureCpu', () => {
  it('charges the CPU of a child that ran and ended to the process that started it', () => {
    const stop = measureCpu({ self: process.pid });
    // The child burns 400 ms of CPU, then exits; it is reaped before the measurement ends.
    spawnSync(process.execPath, ['-e', `${spinCpu.toString()}; spinCpu(400);`]);
    const use = stop();
    expect(use?.seconds.self).toBeGreaterThanOrEqual(0.35);
  });

  it('reports how many cores were busy and how many the machine has', () => {
    const t0 = performance.now();
    const stop = measureCpu({ self: process.pid });
    spinCpu(300); // one core busy for 300 ms of CPU
    const use = stop();
    const wall = (performance.now() - t0) / 1000;
    expect(use?.cores).toBeGreaterThanOrEqual(1);
    // Busy cores = the CPU seconds measured over the wall time they took (this test's own wall
    // time is a hair longer), whatever share of a core the machine gave this process meanwhile.
    expect(use?.seconds.self).toBeGreaterThanOrEqual(0.28);
    expect(use?.busyCores).toBeGreaterThanOrEqual(((use?.seconds.self ?? 0) / wall) * 0.95);
    expect(use?.busyCores).toBeLessThanOrEqual(use?.cores ?? 0);
  });
});

describe('localPids', () => {
  it('leaves out processes that have no pid file', () => {
    expect(localPids('/nonexistent-run-dir', ['aws', 'files'])).toEqual({});
  });
});
