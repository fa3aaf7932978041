import { gatewayHeaders } from './gateway.js';

export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  /** When the client read it (ms since the epoch): latency checks. */
  at: number;
}

/**
 * A minimal server-sent-events reader over fetch, as a browser's EventSource reads a stream
 * (as if proxied: the gateway's assertion for `service` is added). Integration tests of the
 * services that stream (chat, notify).
 */
export async function sseClient(service: string, url: string, headers: Record<string, string>) {
  const ac = new AbortController();
  const res = await fetch(url, {
    headers: { ...headers, ...gatewayHeaders(service, { method: 'GET', url, headers }) },
    signal: ac.signal,
  });
  const events: SseEvent[] = [];
  const waiters: (() => void)[] = [];
  let comments = 0;
  let endedAt = 0;
  const ended = (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev: SseEvent = { at: Date.now() };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments++;
            const [k, ...v] = line.split(': ');
            if (k === 'id' || k === 'event' || k === 'data') ev[k] = v.join(': ');
          }
          if (ev.data) events.push(ev);
          for (const w of waiters.splice(0)) w();
        }
      }
    } catch {
      // aborted
    }
    endedAt = Date.now();
    return endedAt;
  })();
  return {
    status: res.status,
    events,
    /** Resolves with the time the server ended the stream. */
    ended,
    get endedAt() {
      return endedAt;
    },
    get comments() {
      return comments;
    },
    /** Resolves with the first event matching, or rejects after timeoutMs. */
    async next(pred: (e: SseEvent) => boolean, timeoutMs: number): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = events.find(pred);
        if (hit) return hit;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching SSE event within ${timeoutMs} ms (got ${events.length})`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
    },
    close: () => ac.abort(),
  };
}
