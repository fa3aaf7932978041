import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * CPU time of whole local processes (Linux /proc), for benchmarks: a ratio that looks bad is only
 * a finding once we know whether the path waited for the store or the machine ran out of cores.
 * Each process is counted with its descendants (LocalStack's launcher, tsx). Elsewhere than Linux
 * every figure is undefined and the benchmark prints none.
 */
const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux ABI Node supports

interface Stat {
  ppid: number;
  ticks: number;
}

function readStats(): Map<number, Stat> | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return undefined;
  }
  const stats = new Map<number, Stat>();
  for (const e of entries) {
    try {
      const raw = readFileSync(`/proc/${e}/stat`, 'utf8');
      // The command name (field 2) may hold spaces and parentheses: fields follow the last ')'.
      const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
      // utime + stime, plus cutime + cstime: children that ended (clamdscan runs) are charged to the parent.
      const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      stats.set(Number(e), { ppid: Number(f[1]), ticks });
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return stats;
}

function subtreeSeconds(stats: Map<number, Stat>, root: number): number {
  let ticks = 0;
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) todo.push(child);
  }
  return ticks / TICKS_PER_SECOND;
}

export interface CpuUse {
  /** CPU seconds (user + system) of each named process tree during the measurement. */
  seconds: Record<string, number>;
  /** All of them together divided by wall time: how many cores the path kept busy. */
  busyCores: number;
  /** Cores of this machine (the most `busyCores` can be). */
  cores: number;
}

/** Starts measuring the named processes' CPU; the returned function stops and reports. */
export function measureCpu(pids: Record<string, number>): () => CpuUse | undefined {
  const before = readStats();
  const t0 = performance.now();
  return () => {
    const after = readStats();
    if (!before || !after) return undefined;
    const wall = (performance.now() - t0) / 1000;
    const seconds: Record<string, number> = {};
    for (const [name, pid] of Object.entries(pids))
      seconds[name] = Math.max(0, subtreeSeconds(after, pid) - subtreeSeconds(before, pid));
    const total = Object.values(seconds).reduce((a, b) => a + b, 0);
    return { seconds, busyCores: wall > 0 ? total / wall : 0, cores: cpus().length };
  };
}

/** The pids of local stack processes from their pid files (.local/run/<name>.pid); missing ones are left out. */
export function localPids(runDir: string, names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of names) {
    try {
      const pid = Number(readFileSync(`${runDir}/${n}.pid`, 'utf8').trim());
      if (pid > 0) out[n] = pid;
    } catch {
      // Not running locally (e.g. a remote endpoint): no figure for it.
    }
  }
  return out;
}
