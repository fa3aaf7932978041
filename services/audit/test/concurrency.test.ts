import { afterAll, describe, expect, it } from 'vitest';
import { chainEnv, closeAll, ev, instance } from './helpers.js';

afterAll(closeAll);

describe('two audit instances under concurrent load', () => {
  it('leave one gap-free chain that verifies, with every event recorded exactly once', async () => {
    const env = chainEnv({ CHECKPOINT_EVERY: '500' });
    const a = instance(env);
    const b = instance(env);
    const events = Array.from({ length: 5000 }, (_, i) =>
      ev(
        'request.completed',
        {
          method: 'GET',
          route: '/v1/files/:id',
          status: i % 7 === 0 ? 403 : 200,
          durationMs: i % 50,
          resourceType: 'file',
          resourceId: `fil_${i}`,
        },
        { source: 'gateway', actor: { userId: `usr_${i % 40}`, role: 'clinician', ip: '10.0.0.2' } },
      ),
    );
    // Each instance gets its half, and the last 500 events are delivered to both (redelivery race).
    const forA = events.filter((_, i) => i % 2 === 0 || i >= 4500);
    const forB = events.filter((_, i) => i % 2 === 1 || i >= 4500);

    let loading = true;
    const checkpointing = async (d: typeof a) => {
      const written = [];
      while (loading) {
        const cp = await d.audit.checkpointer.tick();
        if (cp) written.push(cp.seq);
        await new Promise((r) => setTimeout(r, 50));
      }
      return written;
    };
    const cpA = checkpointing(a);
    const cpB = checkpointing(b);
    const [ra, rb] = await Promise.all([
      Promise.all(forA.map((e) => a.audit.ingest(e))),
      Promise.all(forB.map((e) => b.audit.ingest(e))),
    ]);
    loading = false;
    const checkpoints = [...(await cpA), ...(await cpB)];

    const fresh = [...ra, ...rb].filter((r) => !r.duplicate);
    expect(fresh).toHaveLength(5000);
    expect(new Set(fresh.map((r) => r.record!.seq)).size).toBe(5000);
    expect(await a.audit.store.records.countDocuments({})).toBe(5000);
    // Both instances wrote part of the chain.
    expect(ra.some((r) => !r.duplicate) && rb.some((r) => !r.duplicate)).toBe(true);

    // Seal the head unless the checkpoint loops already did; the checkpoint chain did not fork.
    const final = await a.audit.checkpointer.tick(true);
    const result = await b.audit.verify();
    expect(result).toMatchObject({ ok: true, checked: 5000, lastSeq: 5000, checkpoint: { seq: 5000 } });
    expect(result.checkpointsChecked).toBe(checkpoints.length + (final ? 1 : 0));
    expect(new Set(checkpoints).size).toBe(checkpoints.length);
  });
});
