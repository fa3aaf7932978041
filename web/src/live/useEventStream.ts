import { useEffect, useRef, useState } from 'react';

/** The part of an EventSource the console uses (a stand-in in tests). */
export interface EventStreamLike {
  readyState: number;
  onopen: ((ev: Event) => void) | null;
  onerror: ((ev: Event) => void) | null;
  addEventListener(name: string, listener: (e: MessageEvent<string>) => void): void;
  close(): void;
}

/** Something that opens an event stream: the browser's EventSource, or a stand-in in tests. */
export type StreamFactory = (url: string) => EventStreamLike;

const browserStream: StreamFactory = (url) => new EventSource(url, { withCredentials: true });

export type StreamState = 'connecting' | 'open' | 'unavailable';

/** How long after a refused stream it is tried again (pages poll meanwhile). */
export const REOPEN_AFTER_MS = 30_000;

/**
 * Subscribes to a server-sent event stream of the gateway (same origin: the HttpOnly session
 * cookie authenticates it, a GET needs no CSRF token). EventSource reconnects by itself, with
 * Last-Event-ID, after the stream ends (the access token in the cookie expired and was
 * refreshed, a deploy); `state` lets a page fall back to polling while the stream is down.
 */
export function useEventStream(
  url: string | null,
  handlers: Record<string, (data: string) => void>,
  factory: StreamFactory = browserStream,
  reopenAfterMs = REOPEN_AFTER_MS,
): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  // Bumped to open the stream again after the server refused it (EventSource gives up then).
  const [attempt, setAttempt] = useState(0);
  // Handlers change every render; the stream must not reopen for that.
  const names = Object.keys(handlers).sort().join(',');
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    if (!url || (factory === browserStream && typeof EventSource === 'undefined')) {
      setState('unavailable');
      return;
    }
    setState('connecting');
    const es = factory(url);
    let retry: ReturnType<typeof setTimeout> | undefined;
    es.onopen = () => setState('open');
    // EventSource retries on its own (CONNECTING) unless the server refused it (CLOSED: a 429
    // TOO_MANY_STREAMS, a 503): then pages poll, and the stream is tried again a while later.
    es.onerror = () => {
      if (es.readyState !== 2) return setState('connecting');
      setState('unavailable');
      retry ??= setTimeout(() => setAttempt((a) => a + 1), reopenAfterMs);
    };
    for (const name of names.split(',').filter(Boolean)) {
      es.addEventListener(name, (e) => ref.current[name]?.(e.data));
    }
    return () => {
      clearTimeout(retry);
      es.close();
    };
  }, [url, names, factory, attempt, reopenAfterMs]);
  return state;
}
