import { request } from 'node:http';
import { connect } from 'node:net';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/**
 * A real HTTP/1.1 client call (own connection), with an optional body sent in chunks, as a
 * browser or curl would send an upload. Resolves with the answer even if the server stops
 * reading the body early; rejects only if no answer arrives at all.
 */
export function httpCall(
  port: number,
  o: {
    method?: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
    chunks?: number;
    chunkSize?: number;
  },
): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, headers: o.headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, ms: Date.now() - started }),
        );
        res.on('error', reject);
      },
    );
    // The server may answer and close while the body is still going up: that is not our failure.
    req.on('error', (err) => (req.writableFinished ? reject(err) : undefined));
    req.on('close', () => setTimeout(() => reject(new Error('closed without an answer')), 50));
    const chunk = Buffer.alloc(o.chunkSize ?? 64 * 1024, 0x41);
    let left = o.chunks ?? 0;
    const pump = () => {
      while (left > 0 && !req.destroyed) {
        left--;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    if (o.body !== undefined) req.write(o.body);
    pump();
  });
}

export interface Stream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** `data:` lines received so far. */
  data: string[];
  /** Resolves with the time (ms since epoch) the server ended the stream. */
  ended: Promise<number>;
  close(): void;
}

/** Opens a server-sent event stream through the gateway on its own connection. */
export function openStream(port: number, token: string, path = '/v1/notifications/stream?hold=1'): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}` }, agent: false },
      (res) => {
        const data: string[] = [];
        let buf = '';
        const ended = new Promise<number>((done) => {
          res.on('end', () => done(Date.now()));
          res.on('close', () => done(Date.now()));
          res.on('error', () => done(Date.now()));
        });
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buf += d;
          for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
            for (const line of buf.slice(0, i).split('\n')) if (line.startsWith('data: ')) data.push(line.slice(6));
            buf = buf.slice(i + 2);
          }
        });
        resolve({ status: res.statusCode ?? 0, headers: res.headers, data, ended, close: () => req.destroy() });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Resolves `true` once the predicate holds, `false` after timeoutMs. */
export async function eventually(pred: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/**
 * Sends one raw HTTP/1.1 request on a fresh socket and reports what came back and whether the
 * server closed the connection by itself within `waitMs` after the response.
 */
export function rawExchange(port: number, head: string, waitMs = 1500): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('end', () => (closed = true));
    socket.on('close', () => (closed = true));
    socket.on('error', reject);
    socket.write(head);
    setTimeout(() => {
      socket.destroy();
      resolve({ text, closed });
    }, waitMs);
  });
}
