import { type EventPublisher, type OutboxRelay, relayPasses } from '@medvault/common/bus';
import type { Envelope } from '@medvault/common/events';
import type { Logger } from '@medvault/common/logger';
import type { PendingOutbox } from '../adapters/files-repo.js';

/** The outbox as the relay sees it: claims with a lease, then a release of what was published. */
export interface ClaimableOutbox {
  claimPending(limit: number, leaseMs: number): Promise<PendingOutbox[]>;
  release(id: string, sent: Envelope[]): Promise<void>;
}

/**
 * Relays the files' outbox events to the bus. Safe on any number of instances: each pass claims
 * documents with a lease (a conditional write, so one holder per document), publishes their
 * events in order, removes exactly those and releases the claim, published or not, so a failed
 * pass is retried at once by the next. A crash between publish and release republishes after the
 * lease (at least once; consumers dedupe on the event id). Kicked by the repository's writes;
 * the interval only catches what a crashed instance left behind.
 */
export function createClaimingOutboxRelay(opts: {
  source: ClaimableOutbox;
  publisher: EventPublisher;
  logger: Logger;
  intervalMs: number;
  leaseMs?: number;
}): OutboxRelay {
  const leaseMs = opts.leaseMs ?? 30_000;

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

  async function once(): Promise<number> {
    let total = 0;
    for (;;) {
      const docs = await opts.source.claimPending(50, leaseMs);
      if (docs.length === 0) return total;
      // Documents in parallel (order matters within a document only): under load one pass no
      // longer queues every file's event behind the SNS round trips of the others.
      const results = await Promise.allSettled(docs.map(publishDoc));
      for (const r of results) if (r.status === 'fulfilled') total += r.value;
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  return relayPasses(once, opts);
}
