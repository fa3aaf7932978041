import { describe, expect, it } from 'vitest';
import { backoffDelay, compareAndSet, LOST_RACE, onceSucceeded, retry, sleep } from './index.js';

const noWait = async () => undefined;

describe('backoffDelay', () => {
  it('doubles from the base after each failure and stops at the cap', () => {
    const o = { baseMs: 100, maxMs: 1000 };
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, o))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('draws full jitter between zero and the delay, upper jitter in its upper half', () => {
    const o = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelay(3, { ...o, jitter: 'full' }, () => 0)).toBe(0);
    expect(backoffDelay(3, { ...o, jitter: 'full' }, () => 0.5)).toBe(200);
    expect(backoffDelay(3, { ...o, jitter: 'upper' }, () => 0)).toBe(200);
    expect(backoffDelay(3, { ...o, jitter: 'upper' }, () => 0.999)).toBe(399);
  });
});

describe('retry', () => {
  it('returns the first success after failures, having waited the backoff delays', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new Error(`fail ${calls}`);
        return 'ok';
      },
      { attempts: 5, baseMs: 10, maxMs: 100, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(waits).toEqual([10, 20]);
  });

  it('throws the last error once the attempts are used up', async () => {
    let calls = 0;
    const run = retry(
      async (attempt) => {
        calls++;
        throw new Error(`fail ${attempt}`);
      },
      { attempts: 3, baseMs: 1, maxMs: 1, sleep: noWait },
    );
    await expect(run).rejects.toThrow('fail 3');
    expect(calls).toBe(3);
  });

  it('stops at once on a failure that is not retryable', async () => {
    let calls = 0;
    const run = retry(
      async () => {
        calls++;
        throw new Error('bad input');
      },
      { attempts: 5, baseMs: 1, maxMs: 1, retryable: () => false, sleep: noWait },
    );
    await expect(run).rejects.toThrow('bad input');
    expect(calls).toBe(1);
  });

  it('tells onRetry which attempt failed and how long it waits', async () => {
    const seen: [string, number, number][] = [];
    await retry(
      async (attempt) => {
        if (attempt === 1) throw new Error('first');
      },
      { baseMs: 50, maxMs: 50, sleep: noWait, onRetry: (err, a, d) => seen.push([(err as Error).message, a, d]) },
    );
    expect(seen).toEqual([['first', 1, 50]]);
  });

  it('rejects with the abort reason while waiting, without another attempt', async () => {
    const ac = new AbortController();
    let calls = 0;
    const run = retry(
      async () => {
        calls++;
        throw new Error('down');
      },
      { attempts: Number.POSITIVE_INFINITY, baseMs: 60_000, maxMs: 60_000, signal: ac.signal },
    );
    setTimeout(() => ac.abort(new Error('stopped')), 10);
    await expect(run).rejects.toThrow('stopped');
    expect(calls).toBe(1);
  });
});

describe('sleep', () => {
  it('rejects at once when the signal is already aborted', async () => {
    await expect(sleep(60_000, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});

describe('onceSucceeded', () => {
  it('runs the work once for every caller after it succeeded', async () => {
    let runs = 0;
    const ready = onceSucceeded(async () => {
      runs += 1;
    });
    await Promise.all([ready(), ready()]);
    await ready();
    expect(runs).toBe(1);
  });

  it('tries again on the next call after a failure', async () => {
    let runs = 0;
    const ready = onceSucceeded(async () => {
      runs += 1;
      if (runs === 1) throw new Error('database down');
      return runs;
    });
    await expect(ready()).rejects.toThrow('database down');
    expect(await ready()).toBe(2);
    expect(await ready()).toBe(2);
  });
});

describe('compareAndSet', () => {
  it('runs the attempt again after each lost race and answers with the winning one', async () => {
    let runs = 0;
    const result = await compareAndSet(async () => (++runs < 3 ? LOST_RACE : `won on ${runs}`), {
      attempts: 5,
      exhausted: () => 'gave up',
    });
    expect(result).toBe('won on 3');
  });

  it('answers with exhausted() once every attempt lost, after exactly that many attempts', async () => {
    let runs = 0;
    const result = await compareAndSet(
      async () => {
        runs += 1;
        return LOST_RACE;
      },
      { attempts: 4, exhausted: () => false },
    );
    expect([result, runs]).toEqual([false, 4]);
  });

  it('lets an error of the attempt through at once, without another attempt', async () => {
    let runs = 0;
    const attempt = async () => {
      runs += 1;
      throw new Error('database down');
    };
    await expect(compareAndSet(attempt, { attempts: 5, exhausted: () => 0 })).rejects.toThrow('database down');
    expect(runs).toBe(1);
  });
});
