import type { EventPublisher } from '@medvault/common/bus';
import { MemoryEventPublisher } from '@medvault/common/bus';
import { createEvent, type Envelope } from '@medvault/common/events';
import { createLogger } from '@medvault/common/logger';
import { describe, expect, it } from 'vitest';
import { BackgroundPublisher } from './outbox.js';

const logger = createLogger({ service: 'test', level: 'silent' });
const ev = (n: number) =>
  createEvent(
    'request.completed',
    { method: 'GET', route: `/r/${n}`, status: 200, durationMs: 1 },
    { correlationId: `c${n}`, source: 'test' },
  );

describe('background publisher', () => {
  it('publishes queued events in the background and flushes on stop', async () => {
    const mem = new MemoryEventPublisher();
    const bp = new BackgroundPublisher(mem, logger, { maxQueue: 100 });
    for (let i = 0; i < 20; i++) bp.enqueue(ev(i));
    expect(mem.events.length).toBe(0); // enqueue never publishes inline
    await bp.stop();
    expect(mem.events.map((e) => e.correlationId).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}`).sort());
  });

  it('drops the oldest events when the queue is full', async () => {
    const mem = new MemoryEventPublisher();
    const bp = new BackgroundPublisher(mem, logger, { maxQueue: 3 });
    for (let i = 0; i < 5; i++) bp.enqueue(ev(i));
    await bp.stop();
    expect(mem.events.map((e) => e.correlationId)).toEqual(['c2', 'c3', 'c4']);
  });

  it('retries a failed publication until it succeeds', async () => {
    let failures = 2;
    const got: Envelope[] = [];
    const flaky: EventPublisher = {
      async publish(e) {
        if (failures-- > 0) throw new Error('bus down');
        got.push(e);
      },
    };
    const bp = new BackgroundPublisher(flaky, logger, { maxQueue: 10, intervalMs: 5 });
    bp.enqueue(ev(1));
    await bp.stop();
    expect(got.map((e) => e.correlationId)).toEqual(['c1']);
  });

  it('gives up after the maximum attempts without blocking stop', async () => {
    let calls = 0;
    const broken: EventPublisher = {
      async publish() {
        calls++;
        throw new Error('bus down');
      },
    };
    const bp = new BackgroundPublisher(broken, logger, { maxQueue: 10, intervalMs: 1, maxAttempts: 3 });
    bp.enqueue(ev(1));
    await bp.stop();
    expect(calls).toBe(3);
    expect(bp.pending).toBe(0);
  });
});
