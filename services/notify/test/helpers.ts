import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Role } from '@medvault/common/auth';
import { createEvent, type Envelope, type EventData, type EventType } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import { mintTestToken, serviceEnv, sseClient as sharedSseClient, unique, viaGateway } from '@medvault/common/testing';
import { SMTPServer } from 'smtp-server';
import { buildApp } from '../src/app.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';
import { buildHandlers } from '../src/messaging/handlers.js';

export const scratch = () => unique('notify_test').replace(/-/g, '_');

/** One notify "instance": own clients, app and handlers, on a shared scratch db and live channel. */
export async function instance(db: string, channel: string, overrides: Record<string, string> = {}) {
  const deps = buildDeps(
    loadServiceConfig(serviceEnv('notify', { LOG_LEVEL: 'silent', MONGO_DB: db, LIVE_CHANNEL: channel, ...overrides })),
  );
  // Requests injected by tests arrive as if proxied by the gateway (app.direct: as a direct caller).
  const app = viaGateway(await buildApp(deps), 'notify');
  const handlers = buildHandlers(deps);
  const handle = async (event: Envelope) => {
    const h = handlers[event.type] as ((e: Envelope, c: unknown) => Promise<void>) | undefined;
    if (!h) throw new Error(`no handler for ${event.type}`);
    await h(event, { logger: deps.logger, receiveCount: 1 });
  };
  return { deps, app, handle };
}
export type Instance = Awaited<ReturnType<typeof instance>>;

export const event = <T extends EventType>(type: T, data: EventData<T>): Envelope =>
  createEvent(type, data, { correlationId: 'test', source: 'test' });

export async function seedUser(inst: Instance, role: Role, email?: string): Promise<string> {
  const userId = newId('user');
  await inst.handle(event('user.created', { userId, role, active: true, ...(email ? { email } : {}) }));
  return userId;
}

export const bearer = (sub: string, role: Role) => ({ authorization: `Bearer ${mintTestToken({ sub, role })}` });

export interface Mail {
  to: string[];
  raw: string;
}

/** A real SMTP server on an ephemeral localhost port; collects what arrives. */
export async function smtpSink() {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The shared SSE reader (common/testing), with this service's gateway assertion. */
export const sseClient = (url: string, headers: Record<string, string>) => sharedSseClient('notify', url, headers);

/** A real HTTP receiver on an ephemeral port; `answer` decides the status of each request. */
export async function receiver(answer: (n: number) => number) {
  const hits: { headers: IncomingMessage['headers']; body: string; status: number }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const status = answer(hits.length + 1);
      hits.push({ headers: req.headers, body, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export type { Deps };
