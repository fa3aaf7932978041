import { type EventPublisher, type OutboxRelay, relayPasses } from '@medvault/common/bus';
import type { Envelope } from '@medvault/common/events';
import type { Logger } from '@medvault/common/logger';
import type { PendingOutbox } from '../adapters/files-repo.js';

/** The outbox as the relay sees it: claims with a lease, then a release of what was published. */
export interface ClaimableOutbox {
  claimPending(limit: number, leaseMs: number): Promise<PendingOutbox[]>;
  /** Claims exactly these documents (those with pending events nobody holds). */
  claimIds(ids: string[], leaseMs: number): Promise<PendingOutbox[]>;
  release(id: string, sent: Envelope[]): Promise<void>;
}

/**
 * Relays the files' outbox events to the bus. Safe on any number of instances: each pass claims
 * documents with a lease (a conditional write, so one holder per document), publishes their
 * events in order, removes exactly those and releases the claim, published or not, so a failed
 * pass is retried at once by the next. A crash between publish and release republishes after the
 * lease (at least once; consumers dedupe on the event id). Kicked by the repository's writes with
 * the file they changed: a kicked pass claims those files by id; a pass with no kick pending (the
 * interval) searches for every pending document, so what a failed pass or a crashed instance left
 * behind is still published.
 */
export function createClaimingOutboxRelay(opts: {
  source: ClaimableOutbox;
  publisher: EventPublisher;
  logger: Logger;
  intervalMs: number;
  leaseMs?: number;
}): OutboxRelay & { kick(id?: string): void } {
  const leaseMs = opts.leaseMs ?? 30_000;
  /** Files named by kicks since the last pass started. */
  const hinted = new Set<string>();

  async function publishDoc(doc: PendingOutbox): Promise<number> {
    const sent: Envelope[] = [];
    try {
      for (const e of doc.outbox) {
        await opts.publisher.publish(e);
        sent.push(e);
      }
    } finally {
      await opts.source.release(doc._id, sent);
    }
    return sent.length;
  }

  async function publishAll(docs: PendingOutbox[]): Promise<number> {
    let total = 0;
    // Documents in parallel (order matters within a document only): under load one pass no
    // longer queues every file's event behind the SNS round trips of the others.
    const results = await Promise.allSettled(docs.map(publishDoc));
    for (const r of results) if (r.status === 'fulfilled') total += r.value;
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return total;
  }

  let lastSearch = 0;
  async function once(): Promise<number> {
    let total = 0;
    const kicked = hinted.size > 0;
    if (kicked) {
      const ids = [...hinted];
      hinted.clear();
      try {
        total += await publishAll(await opts.source.claimIds(ids, leaseMs));
      } catch (err) {
        for (const id of ids) hinted.add(id); // retried by the next pass
        throw err;
      }
    }
    // The search runs on every pass without a kick and at least once an interval under load, so a
    // kick never starves what an earlier failure or another (crashed) instance left pending.
    if (kicked && Date.now() - lastSearch < opts.intervalMs) return total;
    lastSearch = Date.now();
    for (;;) {
      const docs = await opts.source.claimPending(50, leaseMs);
      if (docs.length === 0) return total;
      total += await publishAll(docs);
    }
  }

  const passes = relayPasses(once, opts);
  return {
    ...passes,
    kick(id?: string) {
      if (id !== undefined) hinted.add(id);
      passes.kick();
    },
  };
}
