/**
 * A resumable live feed for one stream (SSE `Last-Event-ID`): what the client missed is replayed
 * from the store, live messages arriving meanwhile are held, then everything goes out in id order,
 * each message once. Ids must sort by time (the platform's ULID-based ids do). Messages without an
 * id (read receipts, edits) are never replayed and never deduplicated: they pass as they come.
 */
export interface ResumeOptions<T> {
  /** Registers the live listener (e.g. `(l) => hub.listen(userId, l, end)`); returns the unsubscribe. */
  listen: (listener: (message: T) => void) => () => void;
  /** The client's last seen id (validated by the caller), or undefined for a fresh stream. */
  resumeFrom: string | undefined;
  /** What was missed after `after`, oldest first, bounded by the caller. */
  replay: (after: string) => Promise<T[]>;
  idOf: (message: T) => string | undefined;
  /** Writes one message to the stream (the caller keeps async writes in order). */
  send: (message: T) => void;
}

/** Starts the feed; resolves once the replay is sent. Returns the unsubscribe. */
export async function resumeLive<T>(o: ResumeOptions<T>): Promise<() => void> {
  let last = o.resumeFrom;
  let replaying = true;
  const held: T[] = [];
  const deliver = (m: T) => {
    const id = o.idOf(m);
    if (id !== undefined) {
      if (last && id <= last) return; // replayed already, or a duplicate
      last = id;
    }
    o.send(m);
  };
  const unlisten = o.listen((m) => (replaying ? held.push(m) : deliver(m)));
  try {
    if (o.resumeFrom) for (const m of await o.replay(o.resumeFrom)) deliver(m);
  } finally {
    // Held messages in id order (those without an id keep their place after the ones with).
    replaying = false;
    const withId = held.filter((m) => o.idOf(m) !== undefined);
    withId.sort((a, b) => ((o.idOf(a) ?? '') < (o.idOf(b) ?? '') ? -1 : 1));
    for (const m of [...withId, ...held.filter((m) => o.idOf(m) === undefined)]) deliver(m);
  }
  return unlisten;
}
