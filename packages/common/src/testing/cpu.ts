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

/** CPU seconds of `root` and its descendants, except subtrees rooted at `others` (named on their own). */
function subtreeSeconds(stats: Map<number, Stat>, root: number, others: Set<number> = new Set()): number {
  let ticks = 0;
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop()!;
    ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid && !others.has(child)) todo.push(child);
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
    // A named process started by another (the benchmark's own service child) counts under its name only.
    const named = new Set(Object.values(pids));
    for (const [name, pid] of Object.entries(pids)) {
      const others = new Set([...named].filter((p) => p !== pid));
      seconds[name] = Math.max(0, subtreeSeconds(after, pid, others) - subtreeSeconds(before, pid, others));
    }
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

/** Busy jiffies and all jiffies of the whole machine since boot (/proc/stat), or undefined. */
function machineTicks(): { busy: number; all: number } | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const all = f.reduce((a, b) => a + b, 0);
    // idle + iowait are the machine waiting; everything else is work.
    return { busy: all - (f[3] ?? 0) - (f[4] ?? 0), all };
  } catch {
    return undefined;
  }
}

export interface QuietOptions {
  /** Busy cores (whole machine) below which it counts as quiet. */
  maxBusyCores?: number;
  /** How long it must stay quiet. */
  quietMs?: number;
  /** Give up (and say so) after this long. */
  limitMs?: number;
}

/**
 * Waits until the whole machine is quiet, so a measured leg is not billed for work the previous
 * leg set off: an upload's file.uploaded event makes the running scanner read and clamd scan the
 * object for seconds after the upload returned, on the same 2 cores as the next leg. Returns the
 * seconds waited and whether the machine did settle (a loaded machine is reported, not hidden).
 */
export async function untilQuiet(o: QuietOptions = {}): Promise<{ waitedSeconds: number; quiet: boolean }> {
  const max = o.maxBusyCores ?? 0.3;
  const quietMs = o.quietMs ?? 2000;
  const limit = o.limitMs ?? 180_000;
  const started = performance.now();
  let quietSince = performance.now();
  let prev = machineTicks();
  if (!prev) return { waitedSeconds: 0, quiet: false };
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const now = machineTicks()!;
    const busy = ((now.busy - prev.busy) / Math.max(1, now.all - prev.all)) * cpus().length;
    prev = now;
    if (busy > max) quietSince = performance.now();
    const waited = (performance.now() - started) / 1000;
    if (performance.now() - quietSince >= quietMs) return { waitedSeconds: waited, quiet: true };
    if (waited * 1000 >= limit) return { waitedSeconds: waited, quiet: false };
  }
}
