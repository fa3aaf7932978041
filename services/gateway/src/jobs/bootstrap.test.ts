import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { bootstrapJob } from './bootstrap.js';

const logger = pino({ level: 'silent' });

describe('bootstrapJob', () => {
  it('retries the start-up work until it succeeds', async () => {
    let calls = 0;
    const job = bootstrapJob(
      async () => {
        calls++;
        if (calls < 3) throw new Error('mongo down');
        return 'created';
      },
      logger,
      { baseMs: 1, maxMs: 2 },
    );
    job.start();
    await job.done;
    expect(calls).toBe(3);
  });

  it('stops waiting at once when the service stops, without another attempt', async () => {
    let calls = 0;
    const job = bootstrapJob(
      async () => {
        calls++;
        throw new Error('mongo down');
      },
      logger,
      { baseMs: 60_000, maxMs: 60_000 },
    );
    job.start();
    await new Promise((r) => setTimeout(r, 20));
    await job.stop();
    expect(calls).toBe(1);
  });
});
