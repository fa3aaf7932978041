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
 * the file they changed: a kicked pass claims those files by id (a failed claim is retried by the
 * next pass, every `intervalMs`). A search for every pending document catches what a crashed
 * instance left behind: at the first pass, on every explicit `flush`, after a failed search, and
 * otherwise once every `searchEveryMs`. WHY not on every pass: on FerretDB v1 the search reads
 * every file document (67 ms per search at 120 files, growing with each file stored), and kicks
 * already deliver every event a live instance writes.
 */
const SEARCH_PAGE = 50;

export function createClaimingOutboxRelay(opts: {
  source: ClaimableOutbox;
  publisher: EventPublisher;
  logger: Logger;
  intervalMs: number;
  /** How often the safety-net search runs at most (default: `intervalMs`). */
  searchEveryMs?: number;
  leaseMs?: number;
}): OutboxRelay & { kick(id?: string): void } {
  const leaseMs = opts.leaseMs ?? 30_000;
  const searchEveryMs = opts.searchEveryMs ?? opts.intervalMs;
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
  let searchDue = true;
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
    // Kicks never starve the search: it runs on its own clock, whatever the load.
    if (!searchDue && Date.now() - lastSearch < searchEveryMs) return total;
    lastSearch = Date.now();
    searchDue = false;
    try {
      // Another page only after a full one: under load every search finds the files written
      // since (their kicks are queued behind this pass), and looping until none are left chased
      // them at one search per round trip (126 searches in one benchmark round instead of 10).
      for (;;) {
        const docs = await opts.source.claimPending(SEARCH_PAGE, leaseMs);
        total += await publishAll(docs);
        if (docs.length < SEARCH_PAGE) return total;
      }
    } catch (err) {
      searchDue = true; // what it left pending is searched for again by the next pass
      throw err;
    }
  }

  const passes = relayPasses(once, opts);
  return {
    ...passes,
    flush() {
      searchDue = true;
      return passes.flush();
    },
    kick(id?: string) {
      if (id !== undefined) hinted.add(id);
      passes.kick();
    },
  };
}
