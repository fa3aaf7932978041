import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';

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
  close(): Promise<void>;
}

/**
 * A tiny real HTTP service standing in for an internal one: it echoes what it received,
 * streams uploads through a hash (never holding them), serves ranges, slow answers and SSE.
 */
export async function fakeUpstream(name: string): Promise<FakeUpstream> {
  const seen: Seen[] = [];
  const app = Fastify();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
  app.addHook('onRequest', async (req) => {
    seen.push({ method: req.method, url: req.url, headers: { ...req.headers } });
  });
  app.post('/v1/files', async (req, reply) => {
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
  app.get('/v1/notifications/stream', (req, reply) => {
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
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
  return { name, url: `http://127.0.0.1:${addr.port}`, seen, app, close: () => app.close() };
}
