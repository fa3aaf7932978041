import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { relayPasses } from './outbox-relay.js';

const logger = pino({ level: 'silent' });

/** A pass that waits until released, counting how many ran and how many overlapped. */
function gatedPasses() {
  const s = { runs: 0, active: 0, maxActive: 0, release: () => {} };
  const pass = async () => {
    s.runs += 1;
    s.active += 1;
    s.maxActive = Math.max(s.maxActive, s.active);
    await new Promise<void>((r) => {
      s.release = r;
    });
    s.active -= 1;
    return 1;
  };
  return { s, pass };
}

describe('relayPasses', () => {
  it('runs one pass at a time, and exactly one more after kicks that came during a pass', async () => {
    const { s, pass } = gatedPasses();
    const relay = relayPasses(pass, { logger, intervalMs: 60_000 });
    const first = relay.flush();
    relay.kick();
    relay.kick();
    expect(s.runs).toBe(1);
    s.release();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(s.runs).toBe(2);
    s.release();
    await relay.stop();
    expect(s.maxActive).toBe(1);
  });

  it('waits in stop for the pass in flight and runs no pass kicked before it', async () => {
    const { s, pass } = gatedPasses();
    const relay = relayPasses(pass, { logger, intervalMs: 60_000 });
    void relay.flush();
    relay.kick();
    let stopped = false;
    const stopping = relay.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    s.release();
    await stopping;
    await new Promise((r) => setImmediate(r));
    expect(s.runs).toBe(1);
  });
});
