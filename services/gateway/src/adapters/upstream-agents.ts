import { Agent, Client, type Dispatcher } from 'undici';

export interface UpstreamAgents {
  /** Pooled keep-alive connections for ordinary requests to the internal services. */
  ordinary: Dispatcher;
  /**
   * Connections for long-lived event streams only: a stream holds its connection for as long as
   * it is open, so on the ordinary pool a few users' streams would leave every other request
   * waiting for a free connection.
   */
  streaming: Dispatcher;
  close(): Promise<void>;
}

const hasBody = (opts: Dispatcher.DispatchOptions) =>
  opts.body !== undefined && opts.body !== null && opts.body !== '' && opts.method !== 'GET' && opts.method !== 'HEAD';

/**
 * A request with a body goes on a connection of its own, closed once its response is in, never
 * back into the pool. An upstream may answer before it has read the whole body (files: 415 after
 * sniffing the first bytes, 413 past its limit) without draining it; the unread bytes then sit in
 * front of the next request on that connection, which the upstream never answers. Undici drops a
 * connection itself only when the answer comes while it is still writing; once the body is in the
 * kernel's buffers nobody can tell whether the upstream read it.
 * Not `reset: true` (which sends `connection: close`): told so, Node closes its end at once and the
 * unread bytes turn that into a TCP reset that can destroy the response before it is read.
 */
const bodiesApart =
  (o: Client.Options): Dispatcher.DispatcherComposeInterceptor =>
  (dispatch) =>
  (opts, handler) => {
    if (!hasBody(opts) || !opts.origin) return dispatch(opts, handler);
    const client = new Client(opts.origin, o);
    const accepted = client.dispatch(opts, handler);
    // Graceful: waits for this one request to complete, then closes the connection.
    client.close().catch(() => undefined);
    return accepted;
  };

export function buildUpstreamAgents(o: {
  connections: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}): UpstreamAgents {
  const timeouts = { headersTimeout: o.headersTimeoutMs, bodyTimeout: o.bodyTimeoutMs };
  const pool = new Agent({ connections: o.connections, ...timeouts });
  // Streams are idle between events for long stretches: no body timeout; the number of them is
  // bounded per user by the gateway (SSE_MAX_STREAMS_PER_USER), not by this pool.
  const streams = new Agent({ headersTimeout: o.headersTimeoutMs, bodyTimeout: 0 });
  return {
    ordinary: pool.compose(bodiesApart(timeouts)),
    streaming: streams,
    close: async () => {
      await Promise.allSettled([pool.destroy(), streams.destroy()]);
    },
  };
}
