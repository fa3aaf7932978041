import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';

export interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface FakeUpstream {
  name: string;
  url: string;
  seen: Seen[];
  app: FastifyInstance;
  /** Held SSE streams (`/v1/notifications/stream?hold=1`) currently open upstream. */
  held: Set<ServerResponse>;
  /** Writes one event to every held stream. */
  emit(data: string): void;
  close(): Promise<void>;
}

/**
 * A tiny real HTTP service standing in for an internal one: it echoes what it received,
 * streams uploads through a hash (never holding them), serves ranges, slow answers and SSE.
 */
export async function fakeUpstream(name: string): Promise<FakeUpstream> {
  const seen: Seen[] = [];
  const held = new Set<ServerResponse>();
  let eventId = 0;
  // The reject route leaves connections mid-request on purpose: do not wait for them on close.
  const app = Fastify({ forceCloseConnections: true });
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
  app.addHook('onRequest', async (req) => {
    seen.push({ method: req.method, url: req.url, headers: { ...req.headers } });
  });
  app.post('/v1/files', async (req, reply) => {
    const reject = (req.query as { reject?: string }).reject;
    if (reject) return rejectEarly(req.body as Readable, reply, Number(reject));
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of req.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      hash.update(chunk);
    }
    return reply.status(202).send({ upstream: name, bytes, sha256: hash.digest('hex') });
  });
  app.get('/v1/links/:token', async (req, reply) => {
    const body = Buffer.from('0123456789abcdefghij');
    const range = /bytes=(\d+)-(\d+)/.exec(String(req.headers.range ?? ''));
    if (!range) return reply.type('application/octet-stream').header('repr-digest', 'sha-256=:abc=:').send(body);
    const [s, e] = [Number(range[1]), Number(range[2])];
    return reply
      .status(206)
      .type('application/octet-stream')
      .header('content-range', `bytes ${s}-${e}/${body.length}`)
      .send(body.subarray(s, e + 1));
  });
  app.get('/v1/appointments/slow', async () => {
    await new Promise((r) => setTimeout(r, 1500));
    return { late: true };
  });
  app.get('/v1/files/broken', async (req) => {
    req.raw.socket.destroy();
  });
  // A service that answers before reading the whole body (files: 415 after sniffing the first
  // bytes, 413 past its own limit) and neither drains nor closes: the connection keeps unread bytes.
  async function rejectEarly(body: Readable, reply: FastifyReply, status: number) {
    await new Promise((r) => body.once('data', r));
    body.pause();
    return reply
      .status(status)
      .type('application/problem+json')
      .send({ code: status === 413 ? 'PAYLOAD_TOO_LARGE' : 'UNSUPPORTED_MEDIA_TYPE', upstream: name });
  }
  app.get('/v1/files/big', (req, reply) => {
    const chunk = Buffer.alloc(64 * 1024, 1);
    reply.raw.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 128 * chunk.length });
    let n = 0;
    const pump = () => {
      while (n < 128 && !reply.raw.destroyed) {
        n++;
        if (!reply.raw.write(chunk)) return void reply.raw.once('drain', pump);
      }
      reply.raw.end();
    };
    pump();
    req.raw.on('close', () => reply.raw.destroy());
  });
  app.get('/v1/notifications/stream', (req, reply) => {
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if ((req.query as { hold?: string }).hold) {
      // Held open until the client (the gateway) goes away; events come from emit().
      reply.raw.write(': open\n\n');
      held.add(reply.raw);
      reply.raw.on('close', () => held.delete(reply.raw));
      return;
    }
    let n = 0;
    const t = setInterval(() => {
      reply.raw.write(`id: ${++n}\ndata: {"n":${n}}\n\n`);
      if (n === 3) {
        clearInterval(t);
        reply.raw.end();
      }
    }, 150);
    req.raw.on('close', () => clearInterval(t));
  });
  app.all('/*', async (req, reply) => {
    if (req.url.includes('status=403'))
      return reply.status(403).type('application/problem+json').send({ code: 'FORBIDDEN', upstream: name });
    return { upstream: name, method: req.method, url: req.url };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address() as { port: number };
  const emit = (data: string) => {
    eventId++;
    for (const res of held) res.write(`id: ${eventId}\ndata: ${data}\n\n`);
  };
  const close = async () => {
    for (const res of held) res.destroy();
    await app.close();
  };
  return { name, url: `http://127.0.0.1:${addr.port}`, seen, app, held, emit, close };
}
