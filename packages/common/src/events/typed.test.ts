import { describe, expect, it } from 'vitest';
import { MemoryEventPublisher } from '../bus/publisher.js';
import { createEvent, type Envelope } from './index.js';

const ctx = { correlationId: 'req_1', source: 'test' };

describe('typed events', () => {
  // Compile-time as much as run-time: these lines stop compiling if Envelope<T> stops being an Envelope.
  it('pass to publish and into outbox arrays as they are, without casts', async () => {
    const created = createEvent(
      'user.created',
      { userId: 'user_1', role: 'patient', email: 'a@b.test', active: true },
      ctx,
    );
    const outbox: Envelope[] = [created];
    const bus = new MemoryEventPublisher();
    await bus.publish(created);
    expect(outbox[0]?.type).toBe('user.created');
    expect(bus.events.map((e) => e.id)).toEqual([created.id]);
  });

  it('come back typed by type from ofType', async () => {
    const bus = new MemoryEventPublisher();
    await bus.publish(
      createEvent('user.created', { userId: 'user_1', role: 'patient', email: 'a@b.test', active: true }, ctx),
    );
    await bus.publish(
      createEvent('user.updated', { userId: 'user_1', role: 'admin', active: true, changes: ['role'] }, ctx),
    );
    const [updated] = bus.ofType('user.updated');
    // `changes` exists on user.updated only: this line compiles because ofType narrows.
    expect(updated?.data.changes).toEqual(['role']);
    expect(bus.ofType('user.created')).toHaveLength(1);
  });
});
